"""Thin HTTP resources: parse, authorise, call one service function, serialise."""
