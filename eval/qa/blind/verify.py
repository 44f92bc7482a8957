# -*- coding: utf-8 -*-
"""Independent re-check of questions.tsv as written: for every answerable row the
answer (whitespace removed) must occur in the document text (whitespace removed)
and, for PDFs, in `pdftotext -layout -f PAGE -l PAGE` of the stated page; the
answer must lie inside the sentence. Counts and constraints of the brief are
checked too."""
import csv, os, re, sys, collections
sys.path.insert(0, os.path.dirname(__file__))
import build

rows = list(csv.DictReader(open('/work/labels/qa/questions.tsv', encoding='utf-8'), delimiter='\t'))
bad = 0
for r in rows:
    if r['answerable'] != '1':
        if r['file'] or r['page'] or r['answer'] or r['paraphrased'] != '0':
            print('unanswerable row has answer fields:', r['id']); bad += 1
        continue
    f, a = r['file'], build.norm(r['answer'])
    path = os.path.join(build.CORPUS, f)
    if not os.path.exists(path):
        print('missing file', r['id'], f); bad += 1; continue
    pages, variants = build.doc(f)
    if not any(a in v for v in variants.values()):
        print('answer not in document', r['id']); bad += 1
    if f.endswith('.pdf'):
        p = int(r['page'])
        txt = build.run(['pdftotext', '-layout', '-f', str(p), '-l', str(p), path, '-'])
        if a not in build.norm(txt):
            print('answer not on stated page', r['id'], p); bad += 1
    elif r['page']:
        print('page given for non-PDF', r['id']); bad += 1
    if a not in build.norm(r['sentence']):
        print('answer not inside sentence', r['id']); bad += 1

A = [r for r in rows if r['answerable'] == '1']
U = [r for r in rows if r['answerable'] == '0']
per = collections.Counter(r['file'] for r in A)
print(f"rows={len(rows)} answerable={len(A)} unanswerable={len(U)} "
      f"paraphrased={sum(r['paraphrased']=='1' for r in A)} documents={len(per)} max_per_doc={max(per.values())}")
assert len(rows) >= 90 and len(A) >= 65 and len(U) >= 25
assert sum(r['paraphrased'] == '1' for r in A) >= 22 and len(per) >= 12 and max(per.values()) <= 12
assert all(r['type'] in 'date count amount reason definition who procedure condition list other'.split() for r in rows)
assert [r['id'] for r in rows] == [f'b{i:03d}' for i in range(1, len(rows) + 1)]
print('FAILURES:', bad)
sys.exit(1 if bad else 0)
