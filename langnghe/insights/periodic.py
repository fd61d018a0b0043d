from .materialize import insights_refresh

# Every 2 s: the dashboards move within seconds of a new case, reply, response or post.
JOBS = [("insights.refresh", 2, insights_refresh)]
