"""One package per integration, named by direction; a flow never imports another flow."""
