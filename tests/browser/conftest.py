from tests.api.live import report_data  # noqa: F401  (the ingested report page, shared by the servers)
