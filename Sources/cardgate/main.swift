print("cardgate: not built yet")
