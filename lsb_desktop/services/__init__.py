"""One service per feature, one transaction per call: the only code that opens sessions.

The services are bundled in `lsb_desktop.core.Core`."""
