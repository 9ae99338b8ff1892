print("vcard: not built yet")
