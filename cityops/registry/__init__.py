"""The city as data: administrative areas, organisations, assets, contracts and lots."""
