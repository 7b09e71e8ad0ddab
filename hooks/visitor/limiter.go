package visitor

import (
	"sync"
	"time"
)

// convLimiter allows one reply at a time per conversation and at most max messages per
// window; per-IP limits are PocketBase's own rate limiter.
type convLimiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	convs map[string]*convState
}

type convState struct {
	busy  bool
	times []time.Time
}

func newConvLimiter(max int, window time.Duration) *convLimiter {
	return &convLimiter{max: max, window: window, convs: map[string]*convState{}}
}

// acquire returns a release func (safe to call more than once), or nil and the seconds
// to wait.
func (l *convLimiter) acquire(id string) (func(), int) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.convs) > 10000 {
		for k, st := range l.convs {
			if !st.busy && (len(st.times) == 0 || now.Sub(st.times[len(st.times)-1]) > l.window) {
				delete(l.convs, k)
			}
		}
	}
	st := l.convs[id]
	if st == nil {
		st = &convState{}
		l.convs[id] = st
	}
	if st.busy {
		return nil, 2
	}
	cut := 0
	for cut < len(st.times) && now.Sub(st.times[cut]) >= l.window {
		cut++
	}
	st.times = st.times[cut:]
	if len(st.times) >= l.max {
		wait := l.window - now.Sub(st.times[0])
		return nil, int(wait/time.Second) + 1
	}
	st.times = append(st.times, now)
	st.busy = true
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			st.busy = false
			l.mu.Unlock()
		})
	}, 0
}
