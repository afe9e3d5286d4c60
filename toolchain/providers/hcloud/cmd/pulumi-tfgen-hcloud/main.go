// Command pulumi-tfgen-hcloud writes schema.json and bridge-metadata.json
// (with the mux dispatch table) for the hcloud plugin into the given directory.
package main

import (
	"fmt"
	"os"

	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"penpalinfra/providers/hcloud/providerinfo"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-tfgen-hcloud <output-dir>")
		os.Exit(2)
	}
	outDir := os.Args[1]
	os.Args = []string{os.Args[0], "schema", "--out", outDir, "--skip-docs", "--skip-examples"}
	pftfgen.MainWithMuxer("hcloud", providerinfo.Provider())
}
