print("gpz")
