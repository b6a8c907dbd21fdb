// Supervision alerts are read in the order their periods end: openEnd is the
// end of every deadline an alert can come from (null while it is paused), so
// the first page is an index-ordered range scan that stops at the page size.
CREATE RANGE INDEX deadline_open_end IF NOT EXISTS FOR (n:Deadline) ON (n.openEnd);
