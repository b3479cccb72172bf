"""The service desk (客服): staff find a resident, open them with a reason, look, and help.

Modules, by what they do:
- ``search``    find residents by a whole application, ID or mobile number (masked results)
- ``access``    grants: opening a resident with a reason, checking and closing the grant,
                recording each look once per grant
- ``resident``  open a resident; their profile and applications as staff see them
- ``timeline``  one timeline per resident, and the resident's own "who viewed my data"
- ``live``      the timeline's Server-Sent Events stream of hints
- ``notes``     internal notes, and escalations of overdue cases to their department
- ``actions``   reveal a masked number, resend a notification, end the resident's sessions

Every look and every action is an Event about the resident naming the staff member and the
opening. The rules (reasons, search kinds, timeline kinds) are in :mod:`bff.core.service_desk`;
every SQL statement is in :mod:`bff.store.queries.service_desk`.
"""
