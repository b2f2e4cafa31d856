print("hearsay: under construction")
