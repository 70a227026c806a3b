package loadgen

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// sampler turns the recorder's running totals into one [Sample] per
// second, and reports progress in between.
type sampler struct {
	r        *runner
	sec      *hdr.Histogram
	last     time.Time
	lastSent tally
	lastRecv tally
	lastErrs uint64

	// progress reports
	pLast     time.Time
	pSent     uint64
	pRecv     uint64
	lastP99   int64
	progEvery time.Duration
}

func newSampler(r *runner) *sampler {
	return &sampler{r: r, sec: newHistogram(), last: r.started, pLast: r.started, progEvery: r.cfg.progressEvery}
}

// loop samples every second until stop is closed, then takes a last,
// shorter sample.
func (s *sampler) loop(stop <-chan struct{}) {
	second := time.NewTicker(time.Second)
	defer second.Stop()
	var prog <-chan time.Time
	if s.r.cfg.progress != nil {
		t := time.NewTicker(s.progEvery)
		defer t.Stop()
		prog = t.C
	}
	for {
		select {
		case <-second.C:
			s.sample()
		case <-prog:
			s.report()
		case <-stop:
			s.sample() // the rest, so that the series adds up to the totals
			return
		}
	}
}

// sample closes the current second.
func (s *sampler) sample() {
	r := s.r
	now := time.Now()
	dt := now.Sub(s.last).Seconds()
	if r.membersReady.Load() {
		r.checkLost()
	}
	sent, recv := sum(r.rec.sent), sum(r.rec.received)
	errs := r.rec.errCount.Load()
	r.rec.cut(s.sec)
	smp := Sample{
		T:           now.Sub(r.started).Seconds(),
		Dt:          dt,
		Phase:       r.phase.Load().(string),
		Sent:        sent.msgs - s.lastSent.msgs,
		Received:    recv.msgs - s.lastRecv.msgs,
		SentBytes:   sent.bytes - s.lastSent.bytes,
		RecvBytes:   recv.bytes - s.lastRecv.bytes,
		Connections: r.engine.Conns(),
		Errors:      errs - s.lastErrs,
	}
	if dt > 0 {
		smp.SentRate = float64(smp.Sent) / dt
		smp.RecvRate = float64(smp.Received) / dt
	}
	if s.sec.TotalCount() > 0 {
		smp.P50 = s.sec.ValueAtQuantile(50)
		smp.P99 = s.sec.ValueAtQuantile(99)
		smp.Max = s.sec.Max()
		s.lastP99 = smp.P99
	}
	r.samples = append(r.samples, smp)
	s.last, s.lastSent, s.lastRecv, s.lastErrs = now, sent, recv, errs
}

// report calls the progress function.
func (s *sampler) report() {
	r := s.r
	now := time.Now()
	sent, recv := sum(r.rec.sent).msgs, sum(r.rec.received).msgs
	p := Progress{
		Elapsed:     now.Sub(r.started),
		Phase:       r.phase.Load().(string),
		Sent:        sent,
		Received:    recv,
		P99:         s.lastP99,
		Connections: r.engine.Conns(),
		Errors:      r.rec.errCount.Load(),
	}
	if dt := now.Sub(s.pLast).Seconds(); dt > 0 {
		p.SentRate = float64(sent-s.pSent) / dt
		p.RecvRate = float64(recv-s.pRecv) / dt
	}
	s.pLast, s.pSent, s.pRecv = now, sent, recv
	r.cfg.progress(p)
}
