// Command pulumi-resource-hcloud is the hcloud resource plugin served to the Pulumi engine.
package main

import (
	"context"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"penpalinfra/providers/hcloud/providerinfo"
)

func main() {
	pfbridge.MainWithMuxer(context.Background(), "hcloud", providerinfo.Provider(), providerinfo.Schema)
}
