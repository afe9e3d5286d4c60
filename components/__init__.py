"""penpal-infra components: one Pulumi component per module, composed by components.stack."""
