// Command loadgen drives any server that speaks the etcd v3 API (etcd itself, or a
// Flotilla store) with etcd's own Go client, go.etcd.io/etcd/clientv3, and prints one JSON
// line: operations completed in the measured phase, errors, latency percentiles from a
// histogram over the whole phase, and the generator's own CPU seconds (so a reader can see
// it was not the bottleneck).
//
// It is built at bench time by `flotilla bench store` (GOPATH = the Debian source tree of
// golang-etcd-server-dev, GO111MODULE=off); see bench/store/README.md.
//
// Workloads (every request carries a deadline of --timeout-ms):
//
//	put               Put(key, value); key uniform over --key-space keys.
//	txn               the Kubernetes apiserver's write shape (GuaranteedUpdate):
//	                    Txn(If(ModRevision(key) = rev), Then(Put(key, value)), Else(Get(key)))
//	                  Each client owns --key-space/--clients keys and remembers each key's
//	                  last seen mod revision: 0 before the first write (the create shape),
//	                  then the response header revision of its own successful Txn (the
//	                  txn's only put creates exactly that revision). No read precedes a write.
//	                  A failed compare (never expected: keys are not shared) takes the
//	                  revision from the Else Get and counts as a conflict, not as an op.
//	get-linearizable  Get(key), etcd's default (ReadIndex) consistency.
//	get-serializable  Get(key, WithSerializable()): the member's local state.
//
// Connections: --conns clientv3 clients; client goroutine i uses connection i % conns. With
// --pin, connection j is given only endpoint j % len(endpoints) (like etcd's own benchmark
// tool), otherwise all endpoints (clientv3 balances and fails over between them).
//
// --duration 0 runs until SIGTERM/SIGINT or EOF on stdin. --acks-file writes one line per
// operation completed in the measured phase: "<start µs> <end µs> <1 ok|0 error>" (Unix
// microseconds), for failover analysis.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/version"
	"go.uber.org/zap"
)

// Latency histogram: 1 µs buckets below 1 ms, then buckets growing by 1% up to 10 minutes.
const (
	linearBucketsUs = 1000
	logGrowth       = 1.01
	maxErrorSamples = 5
)

var logBuckets = int(math.Ceil(math.Log(600e6/linearBucketsUs)/math.Log(logGrowth))) + 1

func bucketOf(us int64) int {
	if us < linearBucketsUs {
		if us < 0 {
			return 0
		}
		return int(us)
	}
	i := int(math.Log(float64(us)/linearBucketsUs) / math.Log(logGrowth))
	if i >= logBuckets {
		i = logBuckets - 1
	}
	return linearBucketsUs + i
}

// upperUs is the largest latency (µs) that falls into bucket b.
func upperUs(b int) float64 {
	if b < linearBucketsUs {
		return float64(b)
	}
	return linearBucketsUs * math.Pow(logGrowth, float64(b-linearBucketsUs+1))
}

type config struct {
	endpoints []string
	workload  string
	clients   int
	conns     int
	pin       bool
	duration  time.Duration
	warmup    time.Duration
	valueSize int
	keySpace  int
	keyPrefix string
	timeout   time.Duration
	acksFile  string
	populate  bool
}

type ack struct{ startUs, endUs int64 }

type worker struct {
	hist      []uint64
	count     int64
	errors    int64
	conflicts int64
	sumUs     int64
	maxUs     int64
	samples   []string
	acks      []ack
	ackErrs   []ack
}

type result struct {
	Tool            string             `json:"tool"`
	ClientLib       string             `json:"clientLib"`
	Workload        string             `json:"workload"`
	Endpoints       []string           `json:"endpoints"`
	Clients         int                `json:"clients"`
	Conns           int                `json:"conns"`
	Pinned          bool               `json:"pinned"`
	ValueBytes      int                `json:"valueBytes"`
	KeySpace        int                `json:"keySpace"`
	WarmupSeconds   float64            `json:"warmupSeconds"`
	ElapsedSeconds  float64            `json:"elapsedSeconds"`
	Count           int64              `json:"count"`
	Errors          int64              `json:"errors"`
	Conflicts       int64              `json:"conflicts"`
	OpsPerSecond    float64            `json:"opsPerSecond"`
	LatencyMs       map[string]float64 `json:"latencyMs"`
	CPUSeconds      float64            `json:"cpuSeconds"`
	CPUCoresUsed    float64            `json:"cpuCoresUsed"`
	CPUSecondsTotal float64            `json:"cpuSecondsTotal"`
	ErrorSamples    []string           `json:"errorSamples"`
	AcksFile        string             `json:"acksFile,omitempty"`
	// With --pin, the same numbers for the operations sent to each endpoint (in --endpoints
	// order): a request to a follower is forwarded to the leader and answered once the
	// follower has applied it, so its latency is not the leader's.
	ByEndpoint []endpointResult `json:"byEndpoint,omitempty"`
}

type endpointResult struct {
	Endpoint  string             `json:"endpoint"`
	Count     int64              `json:"count"`
	LatencyMs map[string]float64 `json:"latencyMs"`
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func parseFlags() config {
	var c config
	var endpoints string
	var durationS, warmupS float64
	var timeoutMs int
	flag.StringVar(&endpoints, "endpoints", "127.0.0.1:2379", "comma-separated host:port list")
	flag.StringVar(&c.workload, "workload", "put", "put | txn | get-linearizable | get-serializable")
	flag.IntVar(&c.clients, "clients", 1, "concurrent requests (goroutines)")
	flag.IntVar(&c.conns, "conns", 1, "gRPC connections (clientv3 clients)")
	flag.BoolVar(&c.pin, "pin", false, "connection j talks only to endpoint j % len(endpoints)")
	flag.Float64Var(&durationS, "duration", 10, "measured seconds; 0 = until SIGTERM or EOF on stdin")
	flag.Float64Var(&warmupS, "warmup", 2, "seconds of load before measuring")
	flag.IntVar(&c.valueSize, "value-size", 256, "value bytes")
	flag.IntVar(&c.keySpace, "key-space", 10000, "number of distinct keys")
	flag.StringVar(&c.keyPrefix, "key-prefix", "bench/", "key prefix")
	flag.IntVar(&timeoutMs, "timeout-ms", 5000, "deadline of each request")
	flag.StringVar(&c.acksFile, "acks-file", "", "write one line per measured operation here")
	flag.BoolVar(&c.populate, "populate", false, "put every key once before the warm-up (for get workloads)")
	flag.Parse()
	c.endpoints = strings.Split(endpoints, ",")
	c.duration = time.Duration(durationS * float64(time.Second))
	c.warmup = time.Duration(warmupS * float64(time.Second))
	c.timeout = time.Duration(timeoutMs) * time.Millisecond
	switch c.workload {
	case "put", "txn", "get-linearizable", "get-serializable":
	default:
		fail("unknown --workload %q (put | txn | get-linearizable | get-serializable)", c.workload)
	}
	if c.clients < 1 || c.conns < 1 || c.conns > c.clients || c.keySpace < 1 || c.valueSize < 0 {
		fail("need --clients >= --conns >= 1, --key-space >= 1, --value-size >= 0")
	}
	return c
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", a...)
	os.Exit(2)
}

func connect(c config) []*clientv3.Client {
	logCfg := zap.NewProductionConfig()
	logCfg.Level = zap.NewAtomicLevelAt(zap.ErrorLevel)
	out := make([]*clientv3.Client, c.conns)
	for j := range out {
		eps := c.endpoints
		if c.pin {
			eps = []string{c.endpoints[j%len(c.endpoints)]}
		}
		cli, err := clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: 5 * time.Second, LogConfig: &logCfg})
		if err != nil {
			fail("connect %v: %v", eps, err)
		}
		out[j] = cli
	}
	return out
}

func key(c config, i int) string { return fmt.Sprintf("%s%08d", c.keyPrefix, i) }

// populate puts every key once, c.clients at a time.
func populate(c config, conns []*clientv3.Client, value string) {
	var next int64 = -1
	var wg sync.WaitGroup
	for g := 0; g < c.clients; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			cli := conns[g%len(conns)]
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= c.keySpace {
					return
				}
				for attempt := 0; ; attempt++ {
					ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
					_, err := cli.Put(ctx, key(c, i), value)
					cancel()
					if err == nil {
						break
					}
					if attempt == 20 {
						fail("populate %s: %v", key(c, i), err)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		}(g)
	}
	wg.Wait()
}

// op returns a function doing one operation of the workload for client goroutine g.
// It reports (false when a txn compare failed, error).
func op(c config, g int, cli *clientv3.Client, value string) func(ctx context.Context) (bool, error) {
	rng := rand.New(rand.NewSource(int64(g) + 1))
	switch c.workload {
	case "put":
		return func(ctx context.Context) (bool, error) {
			_, err := cli.Put(ctx, key(c, rng.Intn(c.keySpace)), value)
			return true, err
		}
	case "txn":
		perClient := c.keySpace / c.clients
		if perClient < 1 {
			perClient = 1
		}
		modRev := make([]int64, perClient)
		next := 0
		return func(ctx context.Context) (bool, error) {
			j := next
			next = (next + 1) % perClient
			k := key(c, g*perClient+j)
			resp, err := cli.Txn(ctx).
				If(clientv3.Compare(clientv3.ModRevision(k), "=", modRev[j])).
				Then(clientv3.OpPut(k, value)).
				Else(clientv3.OpGet(k)).
				Commit()
			if err != nil {
				return true, err
			}
			if resp.Succeeded {
				modRev[j] = resp.Header.Revision
				return true, nil
			}
			modRev[j] = 0
			if rs := resp.Responses; len(rs) == 1 && len(rs[0].GetResponseRange().Kvs) == 1 {
				modRev[j] = rs[0].GetResponseRange().Kvs[0].ModRevision
			}
			return false, nil
		}
	case "get-linearizable":
		return func(ctx context.Context) (bool, error) {
			_, err := cli.Get(ctx, key(c, rng.Intn(c.keySpace)))
			return true, err
		}
	default:
		return func(ctx context.Context) (bool, error) {
			_, err := cli.Get(ctx, key(c, rng.Intn(c.keySpace)), clientv3.WithSerializable())
			return true, err
		}
	}
}

// phase is when measuring starts and stops (Unix ns); stopAt is set when a stop arrives.
type phase struct {
	t0     int64
	stopAt int64
}

func (p *phase) stopped(now int64) bool {
	s := atomic.LoadInt64(&p.stopAt)
	return s != 0 && now >= s
}

func run(c config, g int, cli *clientv3.Client, value string, p *phase, w *worker) {
	do := op(c, g, cli, value)
	for {
		start := time.Now()
		if p.stopped(start.UnixNano()) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		ok, err := do(ctx)
		cancel()
		end := time.Now()
		endNs := end.UnixNano()
		if endNs < p.t0 || p.stopped(endNs) {
			continue
		}
		a := ack{start.UnixNano() / 1000, endNs / 1000}
		if err != nil {
			w.errors++
			if len(w.samples) < maxErrorSamples {
				w.samples = append(w.samples, err.Error())
			}
			if c.acksFile != "" {
				w.ackErrs = append(w.ackErrs, a)
			}
			continue
		}
		if !ok {
			w.conflicts++
			continue
		}
		us := a.endUs - a.startUs
		w.hist[bucketOf(us)]++
		w.count++
		w.sumUs += us
		if us > w.maxUs {
			w.maxUs = us
		}
		if c.acksFile != "" {
			w.acks = append(w.acks, a)
		}
	}
}

// waitForStop blocks until the measured phase ends: after --duration, or on SIGTERM/SIGINT
// or EOF on stdin when --duration is 0 (a signal also ends a timed run early).
func waitForStop(c config, p *phase) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	stdinClosed := make(chan struct{})
	if c.duration == 0 {
		go func() {
			_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
			close(stdinClosed)
		}()
	}
	var timer <-chan time.Time
	if c.duration > 0 {
		timer = time.After(time.Until(time.Unix(0, p.t0)) + c.duration)
	}
	select {
	case <-timer:
	case <-sig:
	case <-stdinClosed:
	}
	atomic.StoreInt64(&p.stopAt, time.Now().UnixNano())
}

func percentiles(hist []uint64, count int64) map[string]float64 {
	out := map[string]float64{}
	targets := []struct {
		name string
		q    float64
	}{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"p999", 0.999}}
	for _, t := range targets {
		rank := uint64(math.Ceil(t.q * float64(count)))
		var seen uint64
		for b, n := range hist {
			seen += n
			if n > 0 && seen >= rank {
				out[t.name] = upperUs(b) / 1000
				break
			}
		}
	}
	return out
}

func writeAcks(path string, ws []*worker) {
	var all []ack
	var errs []ack
	for _, w := range ws {
		all = append(all, w.acks...)
		errs = append(errs, w.ackErrs...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].endUs < all[j].endUs })
	f, err := os.Create(path)
	if err != nil {
		fail("acks file: %v", err)
	}
	b := bufio.NewWriterSize(f, 1<<20)
	for _, a := range all {
		fmt.Fprintf(b, "%d %d 1\n", a.startUs, a.endUs)
	}
	for _, a := range errs {
		fmt.Fprintf(b, "%d %d 0\n", a.startUs, a.endUs)
	}
	if err := b.Flush(); err != nil {
		fail("acks file: %v", err)
	}
	if err := f.Close(); err != nil {
		fail("acks file: %v", err)
	}
}

func main() {
	c := parseFlags()
	cpuStart := cpuSeconds()
	value := strings.Repeat("v", c.valueSize)
	conns := connect(c)
	if c.populate {
		populate(c, conns, value)
	}
	p := &phase{t0: time.Now().Add(c.warmup).UnixNano()}
	ws := make([]*worker, c.clients)
	var wg sync.WaitGroup
	for g := range ws {
		ws[g] = &worker{hist: make([]uint64, linearBucketsUs+logBuckets)}
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			run(c, g, conns[g%len(conns)], value, p, ws[g])
		}(g)
	}
	time.Sleep(time.Until(time.Unix(0, p.t0)))
	cpuT0 := cpuSeconds()
	waitForStop(c, p)
	cpuT1 := cpuSeconds()
	elapsed := float64(atomic.LoadInt64(&p.stopAt)-p.t0) / 1e9
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(c.timeout + time.Second):
		fmt.Fprintln(os.Stderr, "loadgen: some requests were still in flight at exit")
	}
	res := summarize(c, ws, elapsed)
	res.CPUSeconds = cpuT1 - cpuT0
	res.CPUCoresUsed = res.CPUSeconds / elapsed
	for _, cli := range conns {
		_ = cli.Close()
	}
	if c.acksFile != "" {
		writeAcks(c.acksFile, ws)
		res.AcksFile = c.acksFile
	}
	res.CPUSecondsTotal = cpuSeconds() - cpuStart
	line, err := json.Marshal(res)
	if err != nil {
		fail("%v", err)
	}
	fmt.Println(string(line))
}

func summarize(c config, ws []*worker, elapsed float64) result {
	hist := make([]uint64, linearBucketsUs+logBuckets)
	res := result{
		Tool: "loadgen-go", ClientLib: "go.etcd.io/etcd/clientv3 " + version.Version, Workload: c.workload,
		Endpoints: c.endpoints, Clients: c.clients, Conns: c.conns, Pinned: c.pin, ValueBytes: c.valueSize,
		KeySpace: c.keySpace, WarmupSeconds: c.warmup.Seconds(), ElapsedSeconds: elapsed, ErrorSamples: []string{},
	}
	var sumUs, maxUs int64
	for _, w := range ws {
		for b, n := range w.hist {
			hist[b] += n
		}
		res.Count += w.count
		res.Errors += w.errors
		res.Conflicts += w.conflicts
		sumUs += w.sumUs
		if w.maxUs > maxUs {
			maxUs = w.maxUs
		}
		for _, s := range w.samples {
			if len(res.ErrorSamples) < maxErrorSamples {
				res.ErrorSamples = append(res.ErrorSamples, s)
			}
		}
	}
	res.OpsPerSecond = float64(res.Count) / elapsed
	res.LatencyMs = latencySummary(hist, res.Count, sumUs, maxUs)
	if c.pin && len(c.endpoints) > 1 {
		res.ByEndpoint = byEndpoint(c, ws)
	}
	return res
}

func latencySummary(hist []uint64, count, sumUs, maxUs int64) map[string]float64 {
	out := percentiles(hist, count)
	out["max"] = float64(maxUs) / 1000
	if count > 0 {
		out["mean"] = float64(sumUs) / float64(count) / 1000
	}
	return out
}

// byEndpoint: worker g uses connection g % conns, which --pin gives endpoint (g % conns) % endpoints.
func byEndpoint(c config, ws []*worker) []endpointResult {
	n := len(c.endpoints)
	hists := make([][]uint64, n)
	counts, sums, maxes := make([]int64, n), make([]int64, n), make([]int64, n)
	for e := range hists {
		hists[e] = make([]uint64, linearBucketsUs+logBuckets)
	}
	for g, w := range ws {
		e := (g % c.conns) % n
		for b, k := range w.hist {
			hists[e][b] += k
		}
		counts[e] += w.count
		sums[e] += w.sumUs
		if w.maxUs > maxes[e] {
			maxes[e] = w.maxUs
		}
	}
	out := make([]endpointResult, n)
	for e := range out {
		out[e] = endpointResult{Endpoint: c.endpoints[e], Count: counts[e],
			LatencyMs: latencySummary(hists[e], counts[e], sums[e], maxes[e])}
	}
	return out
}
