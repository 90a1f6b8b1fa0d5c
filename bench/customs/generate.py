"""Generates N customs declaration lines as CSV (docs/examples schema): mostly clean goods, 3% with a demo mark or a lookalike."""
import random
import sys

n = int(sys.argv[1])
rng = random.Random(7)
marks = ["N0RTHWIND", "Northwind", "北风", "ＮＯＲＴＨＷＩＮＤ", "Calmivo", "n.o.r.t.h.w.i.n.d"]
goods = [("6201.40", "Men's jacket", "pcs"), ("6404.11", "Sports shoes", "pairs"), ("4202.21", "Handbag", "pcs"), ("8517.13", "Mobile phone", "pcs"),
         ("3004.90", "Tablets, 30 per carton", "carton"), ("6109.10", "Cotton T-shirt 棉质T恤", "件"), ("9102.11", "Wrist watch", "pcs")]
ports = ["DEHAM", "DEBRV", "DEFRA", "NLRTM", "BEANR", "CNSHA", "CNNGB", "CNSZX"]
modes = ["sea", "air", "rail", "road", "post", "express"]
out = sys.stdout
out.write("declaration_number,line,date,mode,importer,exporter,consignor,consignee,origin,destination,port,hs_code,description,brand,quantity,unit,value,currency,gross_kg,container_ids,parcel_ids\n")
for i in range(n):
    hs, desc, unit = rng.choice(goods)
    brand = ""
    if rng.random() < 0.03:
        brand = rng.choice(marks)
        if rng.random() < 0.3:
            desc += " 1:1 replica 高仿"
    qty = rng.randint(1, 500)
    value = round(qty * rng.uniform(0.5, 80), 2)
    out.write(f"BENCH{i // 20:08d},{i % 20 + 1},2026-03-02,{rng.choice(modes)},Importer {rng.randint(1, 5000)} GmbH,Exporter {rng.randint(1, 5000)} Co. Ltd.,,,"
              f"CN,DE,{rng.choice(ports)},{hs},\"{desc}\",{brand},{qty},{unit},{value},{rng.choice(['EUR', 'USD', 'CNY'])},{qty * 0.4:.1f},,\n")
