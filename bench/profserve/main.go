// Command profserve is Frontdesk wired exactly as the frontdesk command, plus Go's pprof
// endpoints on PPROF_ADDR (default 127.0.0.1:6061), so a benchmark run can be profiled
// without touching the server's code:
//
//	go build -o /tmp/fdprof ./bench/profserve
//	go run ./bench -bin /tmp/fdprof -no-md &
//	go tool pprof -top http://127.0.0.1:6061/debug/pprof/profile?seconds=10
//
// Web assets come from ./pb_public on disk; the benchmark doesn't use them.
package main

import (
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"time"

	"github.com/pocketbase/pocketbase"

	"frontdesk/hooks"
	"frontdesk/internal/llm"
	_ "frontdesk/migrations"
)

func main() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6061"
	}
	runtime.SetMutexProfileFraction(10)
	go func() { log.Println("pprof:", http.ListenAndServe(addr, nil)) }()

	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDev: false})
	provider := os.Getenv("FRONTDESK_LLM")
	if provider == "" {
		provider = "offline"
	}
	cfg := &hooks.Config{
		Public:            os.DirFS("pb_public"),
		LLM:               llm.Config{Provider: provider, Model: os.Getenv("FRONTDESK_MODEL")},
		FirstTokenTimeout: 20 * time.Second,
		ReplyTimeout:      90 * time.Second,
	}
	hooks.Register(app, cfg)
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
