from __future__ import annotations

import pytest

from bff.core.capacity import Budget, Deployment, NoRoom, budget


def test_two_instances_with_workers_and_two_crons_fit_under_a_hundred_connections_at_their_worst():
    deployment = Deployment(instances=2, web_workers=2, rq_workers=2, crons=2)
    pools = budget(100, deployment)
    # 100 - 3 reserved - 5 margin - 4 job processes x 4 - 2 leader locks = 74, for 4 web processes: 18 each
    assert pools == Budget(web_size=6, web_overflow=6, web_read_size=3, web_read_overflow=3)
    assert pools.web_most() == 18
    assert pools.total(deployment) == 4 * 18 + 4 * 4 + 2 == 90
    assert pools.total(deployment) <= 100 - 3 - 5


@pytest.mark.parametrize("instances,web,rq,crons,server", [(1, 1, 1, 1, 30), (2, 4, 8, 2, 200), (5, 2, 10, 3, 300)])
def test_the_budget_never_exceeds_what_the_server_has(instances, web, rq, crons, server):
    deployment = Deployment(instances, web, rq, crons)
    assert budget(server, deployment).total(deployment) <= server - 8


def test_too_many_processes_for_the_server_is_refused_with_the_way_out():
    with pytest.raises(NoRoom, match="PgBouncer"):
        budget(100, Deployment(instances=10, web_workers=4, rq_workers=4, crons=2))
