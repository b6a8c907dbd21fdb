// One agency's supervision alerts in the order they end (alertsOfAgenciesQuery):
// without it, a page filtered by agency walked every deadline by openEnd.
CREATE RANGE INDEX deadline_agency_open_end IF NOT EXISTS FOR (d:Deadline) ON (d.agency, d.openEnd);
