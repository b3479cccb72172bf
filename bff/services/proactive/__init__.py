"""Proactive service (无感智办 / 免申即享): signals in (:mod:`.signals`), offers to residents
(:mod:`.offers`), automatic grants and objections (:mod:`.grants`). docs/proactive.md."""
