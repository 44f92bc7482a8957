import csv, re, sys
import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textdb import pages
SPLIT=re.compile(r'。(?![）」』\)])')
fn=sys.argv[1] if len(sys.argv)>1 else '/work/labels/summary/facts.tsv'
rows=list(csv.reader(open(fn,encoding='utf8'),delimiter='\t'))
hdr=rows[0]; assert hdr==['doc','fact','terms','what the reader must get','page'], hdr
bad=0; docs={}
for r in rows[1:]:
    assert len(r)==5, r
    doc,n,terms,what,page=r
    docs.setdefault(doc,[]).append(int(n))
    pgs=pages(doc)
    groups=[g.split('|') for g in terms.split(';')]
    assert 1<=len(groups)<=3, r
    probs=[]
    for g in groups:
        for alt in g:
            assert alt==re.sub(r'\s','',alt) and alt, (doc,n,alt)
        if not any(alt in v for pg in pgs for v in pg.values() for alt in g):
            probs.append('MISSING '+'|'.join(g))
    # pages where all groups occur on same page
    allp=[i for i,pg in enumerate(pgs,1) if all(any(alt in v for v in pg.values() for alt in g) for g in groups)]
    # sentence co-occurrence
    kinds=pgs[0].keys()
    co=False; cokinds=[]
    for k in kinds:
        full=''.join(pg[k] for pg in pgs)
        for s in SPLIT.split(full):
            if all(any(alt in s for alt in g) for g in groups):
                co=True; cokinds.append(k); break
    if not co and len(groups)>1: probs.append('NO-SENTENCE-COOCCURRENCE')
    if not allp:  # sentence spans a page break: accept pages holding any term
        allp=[i for i,pg in enumerate(pgs,1) if any(any(alt in v for v in pg.values() for alt in g) for g in groups)]
    if doc.endswith('.pdf'):
        if not page or int(page) not in allp: probs.append(f'PAGE {page} not in {allp}')
    else:
        if page: probs.append('page should be empty')
    status='OK ' if not probs else 'BAD'
    if probs: bad+=1
    print(status, doc, n, terms, 'pages=',allp[:8], 'co=',cokinds, '; '.join(probs))
for d,ns in docs.items():
    if sorted(ns)!=[1,2,3,4,5]: print('FACT NUMBERING', d, ns); bad+=1
print('docs',len(docs),'rows',len(rows)-1,'bad',bad)
