"""The training library: training kits, guidelines and COP documents."""
