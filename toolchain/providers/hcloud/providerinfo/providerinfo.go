// Package providerinfo maps the upstream Hetzner Cloud Terraform provider
// (SDKv2 and plugin-framework halves, muxed) onto Pulumi tokens and names
// matching the published pulumi_hcloud Python SDK.
package providerinfo

import (
	"context"
	_ "embed"

	hcloudtf "github.com/hetznercloud/terraform-provider-hcloud/hcloud"
	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Version is stamped at link time (-X) by toolchain/build_providers.sh.
var Version = "0.0.0-dev"

// Both files are written by the tfgen step into this directory of the build
// copy; the repository never holds them.
var (
	//go:embed bridge-metadata.json
	bridgeMetadata []byte
	//go:embed schema.json
	Schema []byte
)

// Provider returns the bridge mapping shared by the tfgen and the plugin binaries.
func Provider() tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P: pfbridge.MuxShimWithPF(context.Background(),
			shimv2.NewProvider(hcloudtf.Provider()),
			hcloudtf.NewPluginProvider()),
		Name:         "hcloud",
		Version:      Version,
		GitHubOrg:    "hetznercloud",
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
		Resources: map[string]*tfbridge.ResourceInfo{
			"hcloud_server": {PreCheckCallback: defaultMissingAliasIps},
		},
	}
	// Tokens become hcloud:index/<camelName>:<PascalName>, as in the Python SDK.
	prov.MustComputeTokens(tokens.SingleModule("hcloud_", "index", tokens.MakeStandard("hcloud")))
	prov.MustApplyAutoAliases()
	declareNonStringIDsAsStrings(&prov)
	// Makes `name` optional with a random suffix, like the published SDK.
	prov.SetAutonaming(255, "-")
	return prov
}

// Pulumi ids are strings; some plugin-framework resources use an int64 `id`.
func declareNonStringIDsAsStrings(prov *tfbridge.ProviderInfo) {
	prov.P.ResourcesMap().Range(func(key string, res shim.Resource) bool {
		id, ok := res.Schema().GetOk("id")
		if !ok || id.Type() == shim.TypeString {
			return true
		}
		info := prov.Resources[key]
		if info.Fields == nil {
			info.Fields = map[string]*tfbridge.SchemaInfo{}
		}
		info.Fields["id"] = &tfbridge.SchemaInfo{Type: "string"}
		return true
	})
}

// Upstream issue hetznercloud/terraform-provider-hcloud#650: a server network
// block without alias_ips shows a perpetual diff, so send an explicit empty list.
func defaultMissingAliasIps(
	_ context.Context, config resource.PropertyMap, _ resource.PropertyMap,
) (resource.PropertyMap, error) {
	networks, ok := config["networks"]
	if !ok || !networks.IsArray() {
		return config, nil
	}
	for _, network := range networks.ArrayValue() {
		if !network.IsObject() {
			continue
		}
		fields := network.ObjectValue()
		if _, present := fields["aliasIps"]; !present {
			fields["aliasIps"] = resource.NewProperty([]resource.PropertyValue{})
		}
	}
	return config, nil
}
