// Uniqueness constraints on every natural key of the graph model
// (docs/graph-model.md). Every node has a stable uid; some also have a key
// that the outside world uses.
CREATE CONSTRAINT agency_code IF NOT EXISTS FOR (n:Agency) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT case_uid IF NOT EXISTS FOR (n:Case) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT case_number IF NOT EXISTS FOR (n:Case) REQUIRE (n.agencyCode, n.caseNo) IS UNIQUE;
CREATE CONSTRAINT person_uid IF NOT EXISTS FOR (n:Person) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT person_id_number IF NOT EXISTS FOR (n:Person) REQUIRE n.idNumber IS UNIQUE;
CREATE CONSTRAINT handover_uid IF NOT EXISTS FOR (n:Handover) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT offense_code IF NOT EXISTS FOR (n:Offense) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT charge_uid IF NOT EXISTS FOR (n:Charge) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT measure_uid IF NOT EXISTS FOR (n:Measure) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT decision_uid IF NOT EXISTS FOR (n:Decision) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT judgment_uid IF NOT EXISTS FOR (n:Judgment) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT deadline_uid IF NOT EXISTS FOR (n:Deadline) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT event_uid IF NOT EXISTS FOR (n:Event) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT incident_uid IF NOT EXISTS FOR (n:Incident) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT location_uid IF NOT EXISTS FOR (n:Location) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT object_uid IF NOT EXISTS FOR (n:Object) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT object_value IF NOT EXISTS FOR (n:Object) REQUIRE (n.kind, n.value) IS UNIQUE;
CREATE CONSTRAINT migration_version IF NOT EXISTS FOR (n:Migration) REQUIRE n.version IS UNIQUE;
