// Command benchload is casegraph's GraphQL load test. It starts the real
// binary (`casegraph serve`) on a graph that is already loaded, waits until
// the search index has caught up with the graph, finds its working set
// through the API itself (the cases, persons, charges and names the users
// can see), then lets a number of concurrent clients send a mix of the
// operations investigators, prosecutors and supervisors use:
//
//	caseDetail      a case with its parties, offenses, timeline and procedure
//	search          full-text search: a charge, a full name, a given name, a case number
//	handoverInbox   the handovers waiting for the caller's agency
//	alerts          a page of supervision alerts (legal supervision, political-legal committee)
//	alertsCount     the total of those alerts (timed alone, after the mix: it takes seconds)
//	crimeTrend      monthly trend by charge over three years (supervisor)
//	procedureStats  case-handling statistics per year (supervisor)
//	personNetwork   a suspect's network at depth 2
//
// Each client is a closed loop: it sends the next request when the last one
// is answered. After a warm-up, it counts for a fixed time: throughput and
// p50/p95/p99 per operation, and every error by its code. An error answer
// counts against the run: it exits non-zero when any request failed.
//
// Every client acts as users of its own (its own token subjects): the
// per-subject rate limit stands for many people working at human speed,
// and is raised for the run (--rate-per-minute), as a deployment behind a
// gateway would.
package main

import (
	"bufio"
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// op is one kind of request in the mix.
type op struct {
	name   string
	weight int
	// alone: not in the concurrent mix but timed afterwards, one request
	// at a time (an operation that takes seconds would hold its client
	// and starve the mix).
	alone bool
	// build returns the request's query and variables, and the user who
	// sends it; nil when the working set has nothing for it.
	build func(r *rand.Rand, w *world) *request
}

type request struct {
	user  *user
	query string
	vars  map[string]any
}

type user struct {
	role, agency, region string
	token                string
}

// world is the working set, found through the API before the load.
type world struct {
	police, procurators, managers, supervisors []*user
	// readers are the police and procuratorate users (case detail, search,
	// inbox), built once: the clients share it and only read it.
	readers []*user
	// cases each user may read, persons named as suspects on them
	cases   map[*user][]string
	persons map[*user][]string
	// search terms seen in the data
	charges, fullNames, givenNames, caseNos []string
	// the data's last filed date
	latest time.Time
}

const (
	qCaseDetail = `query CaseDetail($id: ID!) { case(id: $id) { id caseNo kind title summary stage filedAt closedAt district sealed
  agency { code name } parties { role person { id name idNumber } } offenses { code name article }
  transferredFrom { case { id caseNo } } transferredTo { case { id caseNo } }
  timeline { id at kind name status citation stageAfter }
  procedure { stage custody { status since person { id } } clocks { rule title citation due status late } next { rule name citation } supplementaryRounds } } }`
	qSearch = `query Search($q: String!) { search(query: $q, first: 20) { totalCount
  hits { type id score highlights { field fragments } case { id caseNo title stage } person { id name } }
  facets { field values { value count } } pageInfo { hasNextPage endCursor } } }`
	qInbox = `query Inbox { handoverInbox(first: 20) { edges { node { id type name status sentAt waitedHours
  fromAgency { code name } fromCase { id caseNo title } startsClocks { rule } } } pageInfo { hasNextPage endCursor } } }`
	qAlertsSupervisor = `query Alerts { supervisionAlerts(first: 20) { pageInfo { hasNextPage endCursor } edges { node { id kind severity rule title flagNames citation
  case { id caseNo stage } agency { code } district dueAt overdueDays facts } } } }`
	qAlertsManager = `query Alerts { supervisionAlerts(first: 20) { pageInfo { hasNextPage endCursor } edges { node { id kind severity rule title flagNames citation
  case { id caseNo title stage } person { id name } agency { code } district dueAt overdueDays facts } } } }`
	qAlertsCount = `query AlertsCount { supervisionAlerts(first: 1) { totalCount } }`
	qTrend       = `query Trend($from: Date!, $to: Date!) { crimeTrend(filter: {from: $from, to: $to}, interval: MONTH, groupBy: CHARGE) { from to
  periods { start end groups { key count suppressed previousCount changeVsPrevious yearAgoCount changeVsYearAgo } } } }`
	qStats = `query Stats($from: Date!, $to: Date!) { procedureStats(filter: {from: $from, to: $to}, interval: YEAR) {
  rows { agency periodStart arrestApprovalRate nonArrestRate supplementaryRate secondSupplementaryRate nonProsecutionRate
    notProsecutedBySubtype { subtype count } pleaShare convictionRate
    arrestReviewDays { median p90 } prosecutionReviewDays { median p90 } trialDays { median p90 } }
  overdue { agency cases } } }`
	qNetwork = `query Network($id: ID!) { personNetwork(id: $id, depth: 2) { center { id name }
  nodes { depth person { id name } } links { from to kind via } capped } }`
	qCases = `query Cases($from: Date!, $to: Date!, $after: String) { cases(filter: {filedFrom: $from, filedTo: $to}, first: 100, after: $after) {
  edges { node { id caseNo title offenses { name } parties { role person { id name } } } } pageInfo { hasNextPage endCursor } } }`
)

func mix() []op {
	pick := func(r *rand.Rand, us []*user) *user { return us[r.IntN(len(us))] }
	return []op{
		{"caseDetail", 30, false, func(r *rand.Rand, w *world) *request {
			u := pick(r, w.readers)
			if len(w.cases[u]) == 0 {
				return nil
			}
			return &request{u, qCaseDetail, map[string]any{"id": w.cases[u][r.IntN(len(w.cases[u]))]}}
		}},
		{"search", 25, false, func(r *rand.Rand, w *world) *request {
			u := pick(r, w.readers)
			var terms []string
			switch r.IntN(4) {
			case 0:
				terms = w.charges
			case 1:
				terms = w.fullNames
			case 2:
				terms = w.givenNames
			default:
				terms = w.caseNos
			}
			if len(terms) == 0 {
				return nil
			}
			return &request{u, qSearch, map[string]any{"q": terms[r.IntN(len(terms))]}}
		}},
		{"handoverInbox", 10, false, func(r *rand.Rand, w *world) *request {
			return &request{pick(r, w.readers), qInbox, nil}
		}},
		{"alerts", 10, false, func(r *rand.Rand, w *world) *request {
			if r.IntN(2) == 0 {
				return &request{pick(r, w.managers), qAlertsManager, nil}
			}
			return &request{pick(r, w.supervisors), qAlertsSupervisor, nil}
		}},
		// The total of a supervisor's alerts (the badge of the alerts page)
		// counts every matching deadline: timed alone after the mix.
		{"alertsCount", 0, true, func(r *rand.Rand, w *world) *request {
			if r.IntN(2) == 0 {
				return &request{pick(r, w.managers), qAlertsCount, nil}
			}
			return &request{pick(r, w.supervisors), qAlertsCount, nil}
		}},
		{"crimeTrend", 8, false, func(r *rand.Rand, w *world) *request {
			to := w.latest
			from := time.Date(to.Year()-3, to.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
			return &request{pick(r, w.supervisors), qTrend, map[string]any{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)}}
		}},
		{"procedureStats", 7, false, func(r *rand.Rand, w *world) *request {
			to := w.latest
			from := time.Date(to.Year()-2, 1, 1, 0, 0, 0, 0, time.UTC)
			return &request{pick(r, w.supervisors), qStats, map[string]any{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)}}
		}},
		{"personNetwork", 10, false, func(r *rand.Rand, w *world) *request {
			u := pick(r, w.police)
			if len(w.persons[u]) == 0 {
				return nil
			}
			return &request{u, qNetwork, map[string]any{"id": w.persons[u][r.IntN(len(w.persons[u]))]}}
		}},
	}
}

// client sends GraphQL requests and classifies the answers.
type client struct {
	http *http.Client
	url  string
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// do sends one request. outcome is "ok", the first error's code, or an HTTP
// or transport failure.
func (c *client) do(ctx context.Context, rq *request, into any) (outcome string, msg string) {
	body, _ := json.Marshal(map[string]any{"query": rq.query, "variables": rq.vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return "REQUEST", err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+rq.user.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return "TRANSPORT", err.Error()
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "TRANSPORT", err.Error()
	}
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "HTTP_" + strconv.Itoa(resp.StatusCode), truncate(string(raw))
	}
	if len(out.Errors) > 0 {
		code := out.Errors[0].Extensions.Code
		if code == "" {
			code = "NO_CODE"
		}
		return code, out.Errors[0].Message
	}
	if resp.StatusCode != http.StatusOK {
		return "HTTP_" + strconv.Itoa(resp.StatusCode), truncate(string(raw))
	}
	if into != nil {
		if err := json.Unmarshal(out.Data, into); err != nil {
			return "DECODE", err.Error()
		}
	}
	return "ok", ""
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

type result struct {
	Op      string         `json:"op"`
	Count   int            `json:"count"`
	Errors  map[string]int `json:"errors,omitempty"`
	PerSec  float64        `json:"perSecond"`
	P50     float64        `json:"p50ms"`
	P95     float64        `json:"p95ms"`
	P99     float64        `json:"p99ms"`
	Max     float64        `json:"maxms"`
	Example string         `json:"errorExample,omitempty"`
}

type report struct {
	Cases       int       `json:"cases"`
	Label       string    `json:"label"`
	Workers     int       `json:"workers"`
	Duration    string    `json:"duration"`
	Started     time.Time `json:"started"`
	IndexWait   string    `json:"indexWait"`
	Total       result    `json:"total"`
	Ops         []result  `json:"ops"`
	CPUs        int       `json:"cpus"`
	LoadBefore  string    `json:"loadAvgBefore"`
	LoadAfter   string    `json:"loadAvgAfter"`
	WorkingSet  string    `json:"workingSet"`
	ServerFlags []string  `json:"serverFlags"`
}

func main() {
	bin := flag.String("casegraph", "bin/casegraph", "the casegraph binary")
	dataDir := flag.String("data-dir", "var/bench/load", "serve's data directory (its search index is built there on the first run, then kept)")
	workers := flag.Int("workers", 8, "concurrent clients")
	duration := flag.Duration("duration", 2*time.Minute, "how long the counted load runs")
	warmup := flag.Duration("warmup", 30*time.Second, "load before counting")
	label := flag.String("label", "", "the data set's name, for the report (e.g. 100k)")
	out := flag.String("out", "", "write the report as JSON here")
	seed := flag.Uint64("seed", 1, "seed of the request mix")
	aloneRuns := flag.Int("alone-runs", 4, "runs of each operation timed alone (alertsCount)")
	indexTimeout := flag.Duration("index-timeout", 3*time.Hour, "how long to wait for the search index to catch up with the graph")
	flag.Parse()
	log.SetFlags(log.Ltime)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	key := make([]byte, 32)
	crand.Read(key)
	secret := hex.EncodeToString(key)
	flags := []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--data-dir", *dataDir,
		"--rate-per-minute", "1000000", "--log-format", "json"}
	srv, err := startServer(ctx, *bin, secret, flags)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.stop()
	log.Printf("casegraph serves on %s (metrics %s)", srv.addr, srv.metrics)

	t0 := time.Now()
	if err := waitForIndex(ctx, srv, *indexTimeout); err != nil {
		log.Fatal(err)
	}
	indexWait := time.Since(t0).Round(time.Second)
	log.Printf("search index caught up with the graph after %s", indexWait)

	c := &client{http: &http.Client{Timeout: 130 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *workers * 2}},
		url: "http://" + srv.addr + "/graphql"}
	w, n, err := discover(ctx, c, *bin, secret)
	if err != nil {
		log.Fatal(err)
	}
	ws := fmt.Sprintf("%d police, %d procuratorate, %d supervision users; %d cases in %d users' sets; %d suspects; %d charges, %d names, %d case numbers",
		len(w.police), len(w.procurators), len(w.managers)+len(w.supervisors), countAll(w.cases), len(w.cases), countAll(w.persons),
		len(w.charges), len(w.fullNames), len(w.caseNos))
	log.Print("working set: ", ws)

	rep := report{Cases: n, Label: *label, Workers: *workers, Duration: duration.String(), Started: time.Now().UTC(),
		IndexWait: indexWait.String(), CPUs: runtime.NumCPU(), LoadBefore: loadAvg(), WorkingSet: ws, ServerFlags: flags}
	ops := mix()
	log.Printf("warm-up %s, then %s counted, %d clients", *warmup, *duration, *workers)
	var mixed, alone []op
	for _, o := range ops {
		if o.alone {
			alone = append(alone, o)
		} else {
			mixed = append(mixed, o)
		}
	}
	samples, errs, examples := run(ctx, c, w, mixed, *workers, *warmup, *duration, *seed)
	for _, o := range alone {
		log.Printf("%s alone, %d runs", o.name, *aloneRuns)
		r := rand.New(rand.NewPCG(*seed, 99))
		for i := 0; i < *aloneRuns && ctx.Err() == nil; i++ {
			t := time.Now()
			outcome, msg := c.do(ctx, o.build(r, w), nil)
			if outcome == "ok" {
				samples[o.name] = append(samples[o.name], time.Since(t))
				continue
			}
			if errs[o.name] == nil {
				errs[o.name] = map[string]int{}
			}
			errs[o.name][outcome]++
			if examples[o.name] == "" {
				examples[o.name] = outcome + ": " + msg
			}
		}
	}
	rep.LoadAfter = loadAvg()
	if ctx.Err() != nil {
		log.Fatal("interrupted")
	}

	var all []time.Duration
	failed := 0
	for _, o := range ops {
		s := samples[o.name]
		r := summarize(o.name, s, errs[o.name], *duration)
		if o.alone {
			r.Op += " (alone)"
			r.PerSec = 0
		} else {
			all = append(all, s...)
		}
		r.Example = examples[o.name]
		for _, k := range errs[o.name] {
			failed += k
		}
		rep.Ops = append(rep.Ops, r)
	}
	total := map[string]int{}
	for _, o := range mixed {
		for k, v := range errs[o.name] {
			total[k] += v
		}
	}
	rep.Total = summarize("all", all, total, *duration)

	fmt.Printf("\n%d cases (%s), %d clients, %s counted after %s warm-up; load average %s → %s\n\n", rep.Cases, rep.Label, rep.Workers,
		rep.Duration, warmup, rep.LoadBefore, rep.LoadAfter)
	fmt.Println("| operation | requests | per second | p50 ms | p95 ms | p99 ms | max ms | errors |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range append(rep.Ops, rep.Total) {
		fmt.Printf("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %s |\n", r.Op, r.Count, r.PerSec, r.P50, r.P95, r.P99, r.Max, errString(r.Errors))
	}
	for _, r := range rep.Ops {
		if r.Example != "" {
			fmt.Printf("%s error example: %s\n", r.Op, r.Example)
		}
	}
	if *out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if failed > 0 {
		log.Fatalf("%d requests failed", failed)
	}
}

func countAll(m map[*user][]string) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

func errString(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// run lets workers loop over the mix; it returns each operation's counted
// latencies (successes only), its error counts, and one error message.
func run(ctx context.Context, c *client, w *world, ops []op, workers int, warmup, duration time.Duration, seed uint64) (map[string][]time.Duration, map[string]map[string]int, map[string]string) {
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	start := time.Now()
	countFrom, end := start.Add(warmup), start.Add(warmup+duration)
	var mu sync.Mutex
	samples := map[string][]time.Duration{}
	errs := map[string]map[string]int{}
	examples := map[string]string{}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			for ctx.Err() == nil && time.Now().Before(end) {
				k := r.IntN(total)
				var o op
				for _, o = range ops {
					if k < o.weight {
						break
					}
					k -= o.weight
				}
				rq := o.build(r, w)
				if rq == nil {
					continue
				}
				t := time.Now()
				outcome, msg := c.do(ctx, rq, nil)
				d := time.Since(t)
				// A request counts if it started in the counted window,
				// however long it took: slow answers are not dropped.
				if t.Before(countFrom) {
					continue
				}
				mu.Lock()
				if outcome == "ok" {
					samples[o.name] = append(samples[o.name], d)
				} else {
					if errs[o.name] == nil {
						errs[o.name] = map[string]int{}
					}
					errs[o.name][outcome]++
					if examples[o.name] == "" {
						examples[o.name] = outcome + ": " + msg
					}
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	return samples, errs, examples
}

func summarize(name string, s []time.Duration, errs map[string]int, d time.Duration) result {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	for _, v := range errs {
		n += v
	}
	r := result{Op: name, Count: n, Errors: errs, PerSec: float64(n) / d.Seconds()}
	if len(s) > 0 {
		q := func(p float64) float64 {
			i := int(p*float64(len(s))+0.5) - 1
			if i < 0 {
				i = 0
			}
			if i >= len(s) {
				i = len(s) - 1
			}
			return ms(s[i])
		}
		r.P50, r.P95, r.P99, r.Max = q(0.50), q(0.95), q(0.99), ms(s[len(s)-1])
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// server is the casegraph process under load.
type server struct {
	cmd           *exec.Cmd
	addr, metrics string
	done          chan error
}

func startServer(ctx context.Context, bin, secret string, args []string) (*server, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "CASEGRAPH_JWT_SECRET="+secret)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = os.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	found := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var line struct {
				Level string `json:"level"`
				Msg   string `json:"msg"`
				Addr  string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil {
				switch line.Msg {
				case "metrics listening":
					s.metrics = line.Addr
					continue
				case "listening":
					s.addr = line.Addr
					close(found)
					continue
				}
			}
			// Warnings and errors of the server under load are shown.
			if line.Level != "INFO" && line.Level != "DEBUG" {
				fmt.Fprintln(os.Stderr, "serve:", sc.Text())
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case <-found:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("casegraph serve exited before listening: %v", err)
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, errors.New("casegraph serve did not listen within 2 min")
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// waitForIndex polls /readyz and the index lag metric until the server is
// ready and its search index holds everything the graph has.
func waitForIndex(ctx context.Context, s *server, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := time.Now()
	for {
		ready, lag, err := probe(ctx, s)
		if err == nil && ready && lag == 0 {
			return nil
		}
		if time.Since(last) > time.Minute {
			log.Printf("waiting: ready %v, index lag %v s, %v", ready, lag, err)
			last = time.Now()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("search index did not catch up within %s (lag %v s, %v)", timeout, lag, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-s.done:
			return fmt.Errorf("casegraph serve exited: %v", err)
		case <-time.After(2 * time.Second):
		}
	}
}

func probe(ctx context.Context, s *server) (ready bool, lag float64, err error) {
	lag = -1
	resp, err := http.Get("http://" + s.addr + "/readyz")
	if err != nil {
		return false, lag, err
	}
	resp.Body.Close()
	ready = resp.StatusCode == http.StatusOK
	resp, err = http.Get("http://" + s.metrics + "/metrics")
	if err != nil {
		return ready, lag, err
	}
	defer resp.Body.Close()
	// The lag counts only once a round of the syncer has succeeded (a
	// catch-up or a rebuild): before that the gauge is still at zero.
	caughtUp := false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "casegraph_search_index_lag_seconds "); ok {
			if lag, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
				return ready, -1, err
			}
		}
		if v, ok := strings.CutPrefix(sc.Text(), "casegraph_search_last_catchup_timestamp_seconds "); ok {
			t, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			caughtUp = err == nil && t > 0
		}
	}
	if !caughtUp {
		return ready, -1, errors.New("the search syncer has not completed a round yet")
	}
	return ready, lag, nil
}

// discover mints the users' tokens and finds, through the API, the cases
// and persons each user may see and the search terms of the data.
func discover(ctx context.Context, c *client, bin, secret string) (*world, int, error) {
	w := &world{cases: map[*user][]string{}, persons: map[*user][]string{}}
	admin, err := mint(bin, secret, "load-admin", "admin", "", "")
	if err != nil {
		return nil, 0, err
	}
	var ags struct {
		Agencies []struct{ Code, Kind, Region string } `json:"agencies"`
	}
	if o, m := c.do(ctx, &request{admin, `{ agencies { code kind region } }`, nil}, &ags); o != "ok" {
		return nil, 0, fmt.Errorf("agencies: %s %s", o, m)
	}
	regions := map[string]bool{}
	for i, a := range ags.Agencies {
		var role string
		switch a.Kind {
		case "POLICE":
			role = "police_investigator"
		case "PROCURATORATE":
			role = "prosecutor"
		default:
			continue
		}
		u, err := mint(bin, secret, fmt.Sprintf("load-%d", i), role, a.Code, a.Region)
		if err != nil {
			return nil, 0, err
		}
		if role == "prosecutor" {
			w.procurators = append(w.procurators, u)
			m, err := mint(bin, secret, fmt.Sprintf("load-%d-cm", i), "prosecution_case_manager", a.Code, a.Region)
			if err != nil {
				return nil, 0, err
			}
			w.managers = append(w.managers, m)
		} else {
			w.police = append(w.police, u)
		}
		if a.Region != "" && !regions[a.Region] {
			regions[a.Region] = true
			s, err := mint(bin, secret, "load-sup-"+a.Region, "supervisor", "", a.Region)
			if err != nil {
				return nil, 0, err
			}
			w.supervisors = append(w.supervisors, s)
		}
	}
	if len(w.police) == 0 || len(w.procurators) == 0 || len(w.supervisors) == 0 {
		return nil, 0, fmt.Errorf("the graph has no police, procuratorate or region to load: %+v", ags)
	}
	// The latest filed date, from a city-wide trend.
	var tr struct {
		CrimeTrend struct{ To string } `json:"crimeTrend"`
	}
	if o, m := c.do(ctx, &request{admin, `{ crimeTrend(interval: MONTH) { to } }`, nil}, &tr); o != "ok" {
		return nil, 0, fmt.Errorf("crimeTrend: %s %s", o, m)
	}
	latest, err := time.Parse(time.DateOnly, tr.CrimeTrend.To)
	if err != nil {
		return nil, 0, fmt.Errorf("crimeTrend.to %q: %w", tr.CrimeTrend.To, err)
	}
	w.latest = latest
	var count struct {
		Cases struct{ TotalCount int } `json:"cases"`
	}
	if o, m := c.do(ctx, &request{admin, `{ cases(first: 1) { totalCount } }`, nil}, &count); o != "ok" {
		return nil, 0, fmt.Errorf("cases: %s %s", o, m)
	}
	// Each user's cases: a page of 100 from each of six random months of
	// the last three years, with their parties and charges.
	r := rand.New(rand.NewPCG(7, 7))
	charges, fulls, givens := map[string]bool{}, map[string]bool{}, map[string]bool{}
	w.readers = append(append([]*user{}, w.police...), w.procurators...)
	for _, u := range w.readers {
		for k := 0; k < 6; k++ {
			m := latest.AddDate(0, -r.IntN(36), 0)
			from := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC)
			to := from.AddDate(0, 1, -1)
			var page struct {
				Cases struct {
					Edges []struct {
						Node struct {
							ID, CaseNo, Title string
							Offenses          []struct{ Name string }
							Parties           []struct {
								Role   string
								Person struct{ ID, Name string }
							}
						}
					}
				}
			}
			if o, msg := c.do(ctx, &request{u, qCases, map[string]any{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)}}, &page); o != "ok" {
				return nil, 0, fmt.Errorf("cases of %s %s: %s %s", u.role, u.agency, o, msg)
			}
			for _, e := range page.Cases.Edges {
				n := e.Node
				w.cases[u] = append(w.cases[u], n.ID)
				if r.IntN(10) == 0 {
					w.caseNos = append(w.caseNos, n.CaseNo)
				}
				for _, off := range n.Offenses {
					charges[off.Name] = true
				}
				for _, p := range n.Parties {
					if p.Role == "SUSPECT" || p.Role == "DEFENDANT" {
						w.persons[u] = append(w.persons[u], p.Person.ID)
					}
					if rs := []rune(p.Person.Name); len(rs) >= 2 && r.IntN(5) == 0 {
						fulls[p.Person.Name] = true
						givens[string(rs[1:])] = true
					}
				}
			}
		}
	}
	w.charges, w.fullNames, w.givenNames = keys(charges), keys(fulls), keys(givens)
	if countAll(w.cases) == 0 {
		return nil, 0, errors.New("no user can see any case: is the graph loaded?")
	}
	return w, count.Cases.TotalCount, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mint(bin, secret, sub, role, agency, region string) (*user, error) {
	args := []string{"token", "--secret", secret, "--sub", sub, "--role", role, "--ttl", "24h"}
	if agency != "" {
		args = append(args, "--agency", agency)
	}
	if region != "" {
		args = append(args, "--region", region)
	}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		return nil, fmt.Errorf("casegraph token %v: %w", args, err)
	}
	return &user{role: role, agency: agency, region: region, token: strings.TrimSpace(string(out))}, nil
}
