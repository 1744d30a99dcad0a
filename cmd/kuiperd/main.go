// Command kuiperd is the Kuiper server: it runs SQL rules over message
// streams and serves the REST API that manages them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kuiperio/kuiper/internal/app"
)

func main() {
	home := flag.String("home", "", "home folder with etc/, data/, log/ and plugins/ (default $KUIPER_HOME or the working directory)")
	version := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *version {
		fmt.Println(app.Version)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Start(app.Options{Home: *home, Environ: os.Environ()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "kuiperd:", err)
		os.Exit(1)
	}
	if err := a.Wait(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "kuiperd:", err)
		os.Exit(1)
	}
}
