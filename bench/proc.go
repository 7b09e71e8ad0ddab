package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every Linux build Go
// supports, and reading it properly would need cgo's sysconf.
const clockTicks = 100

// procStatus holds the figures read from /proc/PID/status.
type procStatus struct {
	RSSKB   int64 // VmRSS: resident memory now
	HWMKB   int64 // VmHWM: the most resident memory ever
	AnonKB  int64 // RssAnon: heap, stacks and other private memory
	FileKB  int64 // RssFile: pages of the binary and other mapped files
	Threads int64
}

// readStatus reads a process's memory and thread count.
func readStatus(pid int) (procStatus, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procStatus{}, err
	}
	var st procStatus
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			st.RSSKB = n
		case "VmHWM":
			st.HWMKB = n
		case "RssAnon":
			st.AnonKB = n
		case "RssFile":
			st.FileKB = n
		case "Threads":
			st.Threads = n
		}
	}
	return st, sc.Err()
}

// cpuTime is a process's user plus system CPU time from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after it are plain.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	// fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad times", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// selfCPU is this process's own user plus system CPU time: the visitors and the fake
// model share the machine with the server, so the report says what they cost.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampler polls a process's status while load runs, keeping the highest values seen.
type sampler struct {
	pid     int
	limitKB int64  // resident memory past which over is called, once; 0 is no limit
	over    func() // stops the load, so a runaway server can't exhaust a shared machine
	stop    chan struct{}
	wg      sync.WaitGroup

	mu       sync.Mutex
	peak     procStatus
	exceeded bool
}

// startSampler polls pid every interval until Stop, calling over once if the process's
// resident memory passes limitKB.
func startSampler(pid int, every time.Duration, limitKB int64, over func()) *sampler {
	s := &sampler{pid: pid, limitKB: limitKB, over: over, stop: make(chan struct{})}
	s.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			s.take()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	})
	return s
}

func (s *sampler) take() {
	st, err := readStatus(s.pid)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak.RSSKB = max(s.peak.RSSKB, st.RSSKB)
	s.peak.HWMKB = max(s.peak.HWMKB, st.HWMKB)
	s.peak.Threads = max(s.peak.Threads, st.Threads)
	if s.limitKB > 0 && st.RSSKB > s.limitKB && !s.exceeded {
		s.exceeded = true
		s.over()
	}
}

// Stop ends the polling, takes a last sample and returns the peaks and whether the
// memory limit was passed.
func (s *sampler) Stop() (procStatus, bool) {
	close(s.stop)
	s.wg.Wait()
	s.take()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.exceeded
}

// raiseFileLimit lifts the soft limit on open files to the hard limit: a thousand
// visitors hold a thousand sockets here and as many again to the fake model.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
	}
	return lim.Cur, nil
}

// loadAverage is the machine's 1-minute load average, which says how much the other
// users of these shared cores disturbed the run.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// cpuTicks are the machine's CPU time counters from /proc/stat, all cores together.
type cpuTicks struct{ total, idle, steal uint64 }

// machineTicks reads the counters; zero when /proc/stat can't be read.
func machineTicks() cpuTicks {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTicks{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	var t cpuTicks
	for i, s := range f[1:] {
		v, _ := strconv.ParseUint(s, 10, 64)
		if i >= 8 { // guest time is already counted in user
			break
		}
		t.total += v
		switch i {
		case 3:
			t.idle = v
		case 7:
			t.steal = v
		}
	}
	return t
}

// share returns what part of the machine's CPU time between a and b was idle, and what
// part the hypervisor gave to other machines (steal), in percent.
func share(a, b cpuTicks) (idle, steal float64) {
	total := float64(b.total - a.total)
	if total <= 0 {
		return 0, 0
	}
	return 100 * float64(b.idle-a.idle) / total, 100 * float64(b.steal-a.steal) / total
}

// dropFromPageCache writes the file's dirty pages to disk and asks the kernel to drop
// the file from the page cache, so the next process to run it reads it from disk.
func dropFromPageCache(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("drop %s from the page cache: %w", path, err)
	}
	return nil
}
