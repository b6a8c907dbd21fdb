# casegraph — the two commands a new user needs:
#   make run    start Neo4j, migrate, load the demo graph into an empty database, serve on 127.0.0.1:8080
#   make test   start Neo4j and run the whole test suite against it
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
ADDR ?= 127.0.0.1:8080

.PHONY: token bench bench-load bench-analytics bench-ingest bench-alerts bench-search run test test-external test-faults test-neo4j-stop test-short build generate check neo4j-start neo4j-stop neo4j-status neo4j-wipe clean

build:
	$(GO) build -o bin/casegraph ./cmd/casegraph

# Development tokens are signed with a random HS256 secret kept in
# var/dev-jwt-secret (made on the first run); `make run` prints a token per
# role before it serves. Production verifies RS256/ES256 tokens from the
# identity provider instead (CASEGRAPH_JWT_PUBLIC_KEY, docs/security.md).
DEV_SECRET := var/dev-jwt-secret

$(DEV_SECRET):
	mkdir -p var
	umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > $(DEV_SECRET)

run: build neo4j-start $(DEV_SECRET)
	CASEGRAPH_JWT_SECRET=$${CASEGRAPH_JWT_SECRET:-$$(cat $(DEV_SECRET))} ./bin/casegraph token --demo
	CASEGRAPH_JWT_SECRET=$${CASEGRAPH_JWT_SECRET:-$$(cat $(DEV_SECRET))} CASEGRAPH_DEMO=$${CASEGRAPH_DEMO:-1} \
	  ./bin/casegraph serve --addr $${CASEGRAPH_ADDR:-$(ADDR)}

# A token for one user (make token ARGS="--sub u1 --agency 330203GA --role police_investigator").
token: build $(DEV_SECRET)
	@CASEGRAPH_JWT_SECRET=$${CASEGRAPH_JWT_SECRET:-$$(cat $(DEV_SECRET))} ./bin/casegraph token $(ARGS)

# The tests run against a Neo4j server of their own (Bolt on 7688, data in
# var/neo4j-test), which they may empty; the development server of `make run`
# (7687) is never touched.
# The project's packages: var/ holds local state (Neo4j servers, indexes,
# scratch files), never code of the project, so Go files left there are not
# vetted or tested.
PKGS = $$($(GO) list ./... | grep -v '^github.com/casegraph/casegraph/var/')

TEST_NEO4J := CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:7688 CASEGRAPH_NEO4J_HOME=$(CURDIR)/var/neo4j-test CASEGRAPH_TEST_NEO4J_WIPE=1

# The whole suite: format and vet checks, then every test with the race
# detector against the real Neo4j. Packages run one at a time (-p 1) because
# they share the one test database; a skipped test fails the run.
test: check
	$(TEST_NEO4J) scripts/neo4j start
	$(GO) build -o bin/testreport ./internal/tools/testreport
	$(TEST_NEO4J) $(GO) test -race -count=1 -p 1 -json $(PKGS) 2>&1 | ./bin/testreport -no-skips
	$(TEST_NEO4J) scripts/external-checks

# Checks by tools nobody on the project wrote (schemathesis, Debian's
# Chromium on /graphiql; docs/security.md): scripts/external-checks installs
# them under var/external, empties the test server and serves the demo graph.
test-external:
	$(TEST_NEO4J) scripts/neo4j start
	$(TEST_NEO4J) scripts/external-checks

test-neo4j-stop:
	$(TEST_NEO4J) scripts/neo4j stop

# The long fault tests (docs/operations.md, Faults): Neo4j stopped under
# load on a server of their own (Bolt on 7695, var/neo4j-faults), Bolt
# connections cut during commits, kill -9, the index's disk full (mounts a
# tmpfs: needs root). Their short versions run in `make test`.
test-faults:
	$(TEST_NEO4J) scripts/neo4j start
	$(TEST_NEO4J) $(GO) test -tags faults -race -count=1 -p 1 -timeout 60m -run Fault ./cmd/casegraph/

# Only the tests that need no server.
test-short:
	$(GO) test -race -short $(PKGS)

# Benchmarks run against a Neo4j server of their own (Bolt on 7689, data in
# var/neo4j-bench), which they empty; results go to docs/benchmarks.md by hand.
BENCH_NEO4J := CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:7689 CASEGRAPH_NEO4J_HOME=$(CURDIR)/var/neo4j-bench CASEGRAPH_NEO4J_HEAP=4g CASEGRAPH_NEO4J_PAGECACHE=4g
BENCH_CASES ?= 100000
BENCH_SEED ?= 1

bench-ingest: build
	$(BENCH_NEO4J) scripts/neo4j start
	mkdir -p var/bench
	test -s var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson || \
	  ./bin/casegraph gen --cases $(BENCH_CASES) --seed $(BENCH_SEED) > var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson
	$(BENCH_NEO4J) $(GO) run ./internal/tools/benchingest -casegraph bin/casegraph \
	  -input var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson -out var/bench/ingest-$(BENCH_CASES).json

# Supervision alerts on the same generated cases, on a bench server of their
# own (Bolt on 7690, var/neo4j-bench-alerts): the server is
# emptied, `casegraph ingest` loads the file (its procedure sync stores the
# deadlines), then the alerts query is timed.
BENCH_PAGECACHE ?= 4g
BENCH_ALERTS_NEO4J := CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:7690 CASEGRAPH_NEO4J_HOME=$(CURDIR)/var/neo4j-bench-alerts CASEGRAPH_NEO4J_HEAP=4g CASEGRAPH_NEO4J_PAGECACHE=$(BENCH_PAGECACHE) CASEGRAPH_NEO4J_TXLOG_RETENTION="1G size"
bench-alerts: build
	$(BENCH_ALERTS_NEO4J) scripts/neo4j wipe
	$(BENCH_ALERTS_NEO4J) scripts/neo4j start
	mkdir -p var/bench
	test -s var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson || \
	  ./bin/casegraph gen --cases $(BENCH_CASES) --seed $(BENCH_SEED) > var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson
	$(BENCH_ALERTS_NEO4J) ./bin/casegraph migrate
	$(BENCH_ALERTS_NEO4J) /usr/bin/time -v ./bin/casegraph ingest --quiet var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson 2>&1 | \
	  grep -E 'ingest:|Elapsed|Maximum resident'
	$(BENCH_ALERTS_NEO4J) $(GO) run ./internal/tools/benchalerts -out var/bench/alerts-$(BENCH_CASES).json

# Analytics on the same generated cases and the same bench server as
# bench-alerts (Bolt on 7690): BENCH_LOAD=0 reuses the graph bench-alerts or
# an earlier run loaded; otherwise the server is emptied and loaded first.
# Cases loaded before roll-ups existed are rolled up first (timed); the
# roll-up answers are checked against counting cases, which is also timed
# as the baseline (BENCH_OTHER_RUNS runs; 1 is enough at 1M).
# 1M: make bench-analytics BENCH_CASES=1000000 BENCH_PAGECACHE=8g BENCH_OTHER_RUNS=1
BENCH_LOAD ?= 1
BENCH_OTHER_RUNS ?= 5
bench-analytics: build
	if [ "$(BENCH_LOAD)" = 1 ]; then $(BENCH_ALERTS_NEO4J) scripts/neo4j wipe; fi
	$(BENCH_ALERTS_NEO4J) scripts/neo4j start
	mkdir -p var/bench
	if [ "$(BENCH_LOAD)" = 1 ]; then \
	  test -s var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson || \
	    ./bin/casegraph gen --cases $(BENCH_CASES) --seed $(BENCH_SEED) > var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson; \
	  $(BENCH_ALERTS_NEO4J) ./bin/casegraph migrate; \
	  $(BENCH_ALERTS_NEO4J) ./bin/casegraph ingest --quiet var/bench/cases-$(BENCH_CASES)-$(BENCH_SEED).ndjson; \
	fi
	$(BENCH_ALERTS_NEO4J) $(GO) run ./internal/tools/benchanalytics -other-runs $(BENCH_OTHER_RUNS) -out var/bench/analytics-$(BENCH_CASES).json

# GraphQL load (internal/tools/benchload): the real binary serves the graph
# that bench-alerts or bench-analytics loaded (Bolt on 7690), and concurrent
# clients send the mix of docs/benchmarks.md (case detail, search, handover
# inbox, alerts, trends, statistics, networks) for BENCH_LOAD_DURATION after
# a warm-up. Its search index is built under var/bench/load-$(BENCH_CASES) on
# the first run (the wait is reported), then kept.
BENCH_LOAD_WORKERS ?= 8
BENCH_LOAD_DURATION ?= 2m
bench-load: build
	$(BENCH_ALERTS_NEO4J) scripts/neo4j start
	mkdir -p var/bench
	$(BENCH_ALERTS_NEO4J) $(GO) run ./internal/tools/benchload -casegraph bin/casegraph -data-dir var/bench/load-$(BENCH_CASES) \
	  -label $(BENCH_CASES) -workers $(BENCH_LOAD_WORKERS) -duration $(BENCH_LOAD_DURATION) -out var/bench/load-$(BENCH_CASES).json

# Every benchmark, one after the other, on BENCH_CASES generated cases
# (search on BENCH_SEARCH_CASES): ingest against plain Cypher, search
# against Neo4j's full-text index, then alerts, analytics and the GraphQL
# load on one graph loaded once (the load's index is rebuilt for it).
# 1M: make bench BENCH_CASES=1000000 BENCH_PAGECACHE=8g BENCH_OTHER_RUNS=1
bench:
	$(MAKE) bench-ingest
	$(MAKE) bench-search
	$(MAKE) bench-alerts
	$(MAKE) bench-analytics BENCH_LOAD=0
	rm -rf var/bench/load-$(BENCH_CASES)
	$(MAKE) bench-load

# Search: casegraph's bleve index against Neo4j's own full-text index (cjk
# analyzer) on the same generated cases, with the same queries; the bench
# server is emptied. The benchmark reads only the agency and case records: it
# uses the full generated file when another benchmark made it, and otherwise
# keeps those records alone (2.5 GB at 1,000,000 cases instead of 10 GB).
# 1,000,000 cases then write about 10 GB in all; BENCH_SEARCH_CASES=20000 is a
# quick run.
BENCH_SEARCH_CASES ?= 1000000
SEARCH_FULL_INPUT = var/bench/cases-$(BENCH_SEARCH_CASES)-$(BENCH_SEED).ndjson
SEARCH_INPUT = $(if $(wildcard $(SEARCH_FULL_INPUT)),$(SEARCH_FULL_INPUT),var/bench/case-records-$(BENCH_SEARCH_CASES)-$(BENCH_SEED).ndjson)

bench-search: build
	$(BENCH_NEO4J) scripts/neo4j start
	mkdir -p var/bench
	test -s $(SEARCH_INPUT) || { \
	  set -o pipefail; ./bin/casegraph gen --cases $(BENCH_SEARCH_CASES) --seed $(BENCH_SEED) | \
	    grep -E '^\{"type":"(agency|case)"' > $(SEARCH_INPUT).tmp && mv $(SEARCH_INPUT).tmp $(SEARCH_INPUT); }
	$(BENCH_NEO4J) $(GO) run ./internal/tools/benchsearch -neo4j-script scripts/neo4j -dir var/bench/search \
	  -input $(SEARCH_INPUT) -out var/bench/search-$(BENCH_SEARCH_CASES).json

check:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$bad" ]; then echo "gofmt would change:"; echo "$$bad"; exit 1; fi
	$(GO) vet $(PKGS)

generate:
	$(GO) tool gqlgen generate

neo4j-start:
	scripts/neo4j start
neo4j-stop:
	scripts/neo4j stop
neo4j-status:
	scripts/neo4j status
neo4j-wipe:
	scripts/neo4j wipe

clean:
	rm -rf bin
