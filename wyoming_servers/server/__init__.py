"""What every Wyoming service shares.

`runner` (command line, model loading, listening, zeroconf, shutdown), `connection` (one
client's read loop, `describe`/`ping`, routing to the services' handlers, error events),
`protocol` (a size-limited event reader that says why it stopped), `pool` (the bounded
inference pool), `audio` (any audio format in, 16 kHz mono out; silence), `announce` (mDNS),
`model_sources` (`ModelSource`, installed package versions).
"""
