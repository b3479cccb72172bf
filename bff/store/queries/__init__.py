"""Named query functions, one module per aggregate: every SQL statement of the BFF lives here.

Services load through these functions, apply a rule of ``bff.core`` and save through them (or
through the ORM unit of work of the session they are given); they never build a statement.
Where PostgreSQL and SQLite need different SQL, the module holds both, side by side, behind one
function, and one test runs that function on both databases.
"""
