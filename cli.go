package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/cmd"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// needsData is the annotation of a command that works on an existing data directory and
// must not start an empty one where --dir points by mistake (PocketBase's bootstrap
// creates the directory and its database); withoutApp marks one that needs no app at all.
const (
	annotationData = "frontdesk-data"
	needsData      = "existing"
	withoutApp     = "none"
)

// run executes the command line as PocketBase's Start does (its serve and superuser
// commands, the app bootstrapped before a command runs, terminated on SIGINT or SIGTERM),
// but returns the command's error, which Start drops: with Start, a failed command, an
// unknown one, or a broken audit chain all exit 0. Cobra has printed the error already.
func run(app *pocketbase.PocketBase) error {
	root := app.RootCmd
	root.AddCommand(cmd.NewSuperuserCommand(app), cmd.NewServeCommand(app, true))
	root.SilenceUsage = true // an error is the error, not the error and the usage text
	// PocketBase's coloured error writer prints to stdout (fatih/color writes only the
	// colour codes to the writer it is given): errors belong on stderr.
	root.SetErr(os.Stderr)
	strictGroups(root)
	// Bootstrap here rather than before Execute, as Start does, so that an unknown
	// command, --help or --version never creates a data directory, and a command can
	// check the directory first. Cobra runs the nearest PersistentPreRunE only: no
	// command below root may set its own.
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		switch c.Annotations[annotationData] {
		case withoutApp:
			return nil
		case needsData:
			if f := c.Flags().Lookup("backup"); f != nil && f.Changed {
				return nil // a backup is read on its own, without the data directory
			}
			if err := checkDataDir(app.DataDir()); err != nil {
				return err
			}
		}
		return app.Bootstrap()
	}

	done := make(chan error, 1)
	go func() { done <- root.Execute() }()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	var err error
	select {
	case err = <-done:
	case <-stop: // a graceful stop, as with Start: serve returns once terminated
	}
	terr := app.OnTerminate().Trigger(&core.TerminateEvent{App: app}, func(e *core.TerminateEvent) error {
		return e.App.ResetBootstrapState()
	})
	if terr != nil {
		root.PrintErrln("Error:", terr)
	}
	return errors.Join(err, terr)
}

// strictGroups makes a command that only groups others (audit, superuser) fail on an
// unknown sub-command: cobra shows such a group's help and succeeds, since it checks
// arguments only of a command that can run.
func strictGroups(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.HasSubCommands() && !c.Runnable() {
			c.Args = cobra.NoArgs
			c.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
			if c.Annotations == nil {
				c.Annotations = map[string]string{}
			}
			c.Annotations[annotationData] = withoutApp
		}
		strictGroups(c)
	}
}

// checkDataDir refuses a data directory that does not exist or holds no database.
func checkDataDir(dir string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("no data directory at %s (give it with --dir)", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "data.db")); err != nil {
		return fmt.Errorf("%s holds no Frontdesk database (data.db); give the data directory with --dir", dir)
	}
	return nil
}
