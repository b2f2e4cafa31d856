print("hearsay-inspect: not built yet (issue 7)")
