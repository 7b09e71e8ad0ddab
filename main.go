// Command frontdesk is the self-hosted AI front desk: PocketBase with Frontdesk's
// collections, hooks, visitor API and widget, served over automatic HTTPS.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"frontdesk/hooks"
	"frontdesk/hooks/audit"
	"frontdesk/hooks/lifecycle"
	"frontdesk/internal/calendar/google"
	"frontdesk/internal/llm"
	_ "frontdesk/migrations"
)

// version is stamped in by the Makefile (-ldflags "-X main.version=...").
var version = "dev"

// The collector's settings when GOGC and GOMEMLIMIT are unset. A busy hour's heap is
// mostly garbage from replies in flight, so collecting at three times the live heap
// (GOGC=200) instead of twice halves the collections and the latency they add to
// every stream; the soft limit keeps that from costing a small VPS its memory: near
// 100 MiB the collector works harder instead of letting the heap grow. Start-up
// (migrations, the demo practice, the knowledge index) collects at GOGC=50 until the
// server listens: what it keeps then sits in fewer spans, so the idle server holds
// 1.4 MB less and start-up peaks 12 MB lower, for 0.07 s more on a first start. The
// other commands keep GOGC=50 throughout: they are short, and the smaller for it.
const (
	defaultGCPercent   = 200
	startGCPercent     = 50
	defaultMemoryLimit = 100 << 20
)

func main() {
	privateUmask()
	ownGC := os.Getenv("GOGC") == ""
	if ownGC {
		debug.SetGCPercent(startGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	// The data directory defaults to ./pb_data in the working directory, as `make run`
	// and the README use, not PocketBase's pb_data beside the executable (bin/pb_data).
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDev: false, DefaultDataDir: "pb_data", DBConnect: hooks.DBConnect})
	app.RootCmd.Version = version

	cfg := &hooks.Config{
		Public:            publicFS(),
		LLM:               llm.Config{Provider: defaultProvider(), Model: os.Getenv("FRONTDESK_MODEL")},
		FirstTokenTimeout: envDuration("FRONTDESK_FIRST_TOKEN_TIMEOUT", 20*time.Second),
		ReplyTimeout:      envDuration("FRONTDESK_REPLY_TIMEOUT", 90*time.Second),
		EmbedModel:        os.Getenv("FRONTDESK_EMBED_MODEL"),
		Google:            google.Config{ClientID: os.Getenv("FRONTDESK_GOOGLE_CLIENT_ID"), ClientSecret: envSecret("FRONTDESK_GOOGLE_CLIENT_SECRET")},

		AllowPrivateNetworks: envBool("FRONTDESK_ALLOW_PRIVATE_NETWORKS"),
	}
	var publicDir string
	flags := app.RootCmd.PersistentFlags()
	flags.StringVar(&cfg.TLS.Domain, "domain", "", "serve HTTPS for this domain with automatic certificates (ports 80 and 443)")
	flags.StringVar(&cfg.TLS.Email, "acme-email", "", "contact email for the ACME account (certificate expiry notices)")
	flags.StringVar(&cfg.TLS.CA, "acme-ca", "", "ACME directory URL (default Let's Encrypt)")
	flags.StringVar(&cfg.TLS.CARoot, "acme-ca-root", "", "PEM file with the root certificate to trust for --acme-ca")
	flags.StringVar(&cfg.TLS.HTTPAddr, "acme-http", ":80", "with --domain: address of the HTTP redirect and challenge server")
	flags.StringVar(&cfg.TLS.HTTPSAddr, "acme-https", ":443", "with --domain: address of the HTTPS server")
	flags.BoolVar(&cfg.NoDemo, "no-demo", false, "don't create the demo practice on first start")
	flags.BoolVar(&cfg.AllowPrivateNetworks, "allow-private-networks", cfg.AllowPrivateNetworks, "let practices' URLs (websites to crawl, model base URLs) reach loopback, private and link-local addresses")
	flags.StringVar(&publicDir, "public-dir", "", "serve web assets from this folder instead of the embedded ones (development)")
	parseEarly(app.RootCmd, os.Args[1:])
	if publicDir != "" {
		cfg.Public = os.DirFS(publicDir)
	}

	if addr := os.Getenv("FRONTDESK_PPROF"); addr != "" {
		// Profiling for benchmarks and support: Go's pprof on a separate address, while serving.
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			go func() { log.Println("pprof:", http.ListenAndServe(addr, nil)) }()
			return se.Next()
		})
	}
	hooks.Register(app, cfg)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		err := se.Next()
		if ownGC {
			debug.SetGCPercent(defaultGCPercent)
		}
		// Start-up (migrations, the demo practice, the knowledge index) leaves garbage
		// the collector may not reach for a while, and pages in SQLite's caches: hand
		// them back to the OS now, so an idle server holds only what it uses. hooks/web
		// does it once more after its start-up log: a single collection here left 1.3 MB
		// more in one start of three, two back to back 0.2 MB more.
		hooks.ShrinkDBMemory(se.App)
		debug.FreeOSMemory()
		return err
	})
	app.RootCmd.AddCommand(versionCmd(), auditCmd(app), reindexCmd(app, cfg), evalCmd(app, cfg), retentionCmd(app))

	if err := run(app); err != nil {
		os.Exit(1)
	}
}

// defaultProvider follows FRONTDESK_LLM, else a configured Ollama, else no model.
func defaultProvider() string {
	if p := os.Getenv("FRONTDESK_LLM"); p != "" {
		return p
	}
	if os.Getenv("OLLAMA_HOST") != "" {
		return "ollama"
	}
	return "offline"
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
		log.Fatalf("%s: %q is not a duration such as 20s", name, v)
	}
	return def
}

// envSecret reads a secret from name, or from the file name_FILE names (a secret
// manager's mount), so it needn't sit in the service's environment.
func envSecret(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	if f := os.Getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			log.Fatalf("%s_FILE: %v", name, err)
		}
		return strings.TrimSpace(string(b))
	}
	return ""
}

func envBool(name string) bool {
	v := os.Getenv(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		log.Fatalf("%s: %q is not true or false", name, v)
	}
	return b
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print the version",
		Annotations: map[string]string{annotationData: withoutApp},
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Println("frontdesk", version)
		},
	}
}

func auditCmd(app *pocketbase.PocketBase) *cobra.Command {
	group := &cobra.Command{Use: "audit", Short: "Check the audit log"}
	var backup string
	verify := &cobra.Command{
		Use:         "verify",
		Short:       "Verify the audit log's hash chain and its head (of the data directory, or of a backup with --backup), and report the first broken link",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationData: needsData},
		RunE: func(cmd *cobra.Command, args []string) error {
			if backup != "" {
				return lifecycle.VerifyBackup(backup, verifyAudit)
			}
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			return verifyAudit(app)
		},
	}
	verify.Flags().StringVar(&backup, "backup", "", "a backup's zip file to check instead of the data directory")
	group.AddCommand(verify)
	return group
}

// verifyAudit checks app's audit chain and prints how many entries held.
func verifyAudit(app core.App) error {
	n, broken, err := audit.Verify(app)
	if err != nil {
		return err
	}
	if broken != nil {
		record := ""
		if broken.ID != "" {
			record = " (record " + broken.ID + ")"
		}
		return fmt.Errorf("audit log broken at entry %d%s: %s; %d entries checked", broken.Seq, record, broken.Reason, n)
	}
	fmt.Printf("audit log intact: %d entries\n", n)
	return nil
}

func retentionCmd(app *pocketbase.PocketBase) *cobra.Command {
	group := &cobra.Command{Use: "retention", Short: "Apply the practices' data retention"}
	group.AddCommand(&cobra.Command{
		Use:         "run",
		Short:       "Delete what is older than each practice keeps, now (also while the server runs), and report the counts",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationData: needsData},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			report, err := hooks.RunRetention(app)
			fmt.Println(report)
			return err
		},
	})
	return group
}

func reindexCmd(app *pocketbase.PocketBase, cfg *hooks.Config) *cobra.Command {
	return &cobra.Command{
		Use:         "reindex",
		Short:       "Rebuild the knowledge index from every practice's FAQs and documents (by the running server, if one runs)",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationData: needsData},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			handedOff, err := hooks.Reindex(app, cfg)
			switch {
			case err != nil:
				return err
			case handedOff:
				fmt.Println("the knowledge index is open in a running server: the rebuild was handed to it, and its documents show their progress in the admin UI")
			default:
				fmt.Println("knowledge index rebuilt")
			}
			return nil
		},
	}
}

func evalCmd(app *pocketbase.PocketBase, cfg *hooks.Config) *cobra.Command {
	var slug string
	var minScore float64
	var timeout time.Duration
	c := &cobra.Command{
		Use:         "eval",
		Short:       "Answer a practice's evaluation questions with its engine (its model, or offline), store the run, print the score and what changed since the last run; exit 1 below --min",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationData: needsData},
		RunE: func(cmd *cobra.Command, args []string) error {
			if slug == "" {
				return errors.New("name the practice with --practice SLUG")
			}
			if minScore < 0 || minScore > 1 {
				return fmt.Errorf("--min %v: give a score from 0 to 1, such as 0.9", minScore)
			}
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			run, err := hooks.Eval(ctx, app, cfg, slug)
			if err != nil {
				return err
			}
			fmt.Print(run.Report())
			if run.Score < minScore {
				return fmt.Errorf("score %.1f%% is below --min %.1f%%", 100*run.Score, 100*minScore)
			}
			return nil
		},
	}
	c.Flags().StringVar(&slug, "practice", "", "the practice's slug")
	c.Flags().Float64Var(&minScore, "min", 0, "the lowest score that passes, from 0 to 1 (e.g. 0.9); below it the command exits 1")
	c.Flags().DurationVar(&timeout, "timeout", 30*time.Minute, "how long the run may take")
	return c
}

// parseEarly reads Frontdesk's flags before the command runs, so that Register binds
// every capability with its configuration. The flags of the command itself (serve's
// --http) are unknown to the root and skipped here, with their values; cobra parses the
// whole line again when it runs the command, and refuses what is wrong then.
func parseEarly(root *cobra.Command, args []string) {
	root.FParseErrWhitelist.UnknownFlags = true
	_ = root.ParseFlags(args)
	root.FParseErrWhitelist.UnknownFlags = false
}
