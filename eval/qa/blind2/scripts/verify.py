"""Verify every answerable row of out/questions.tsv:
answer ⊂ sentence ⊂ page text (whitespace removed).
PDF: page text from `pdftotext -layout -f P -l P` and from pypdfium2; passing either counts.
DOCX: python-docx paragraphs + table cells; TXT: CP932; HTML: tags stripped; MD: raw."""
import sys, csv
sys.path.insert(0,'/work/labels/qa_blind2')
from common import ws, page_texts, doc_text, npages
rows=list(csv.DictReader(open('/work/labels/qa_blind2/out/questions.tsv',encoding='utf-8'),delimiter='\t'))
hdr=open('/work/labels/qa_blind2/out/questions.tsv',encoding='utf-8').readline().rstrip('\n')
out=[]; ok=fail=0
out.append('header_ok=%s'%(hdr=='id\tquestion\tanswerable\ttype\tparaphrased\tfile\tpage\tanswer\tsentence'))
for r in rows:
    if r['answerable']!='1':
        good = r['file']==r['page']==r['answer']==r['sentence']=='' and r['paraphrased']=='0'
        out.append(f"{r['id']}\tUNANSWERABLE\t{'PASS' if good else 'FAIL(empty fields expected)'}")
        ok+=good; fail+=not good; continue
    a,s,f,p=r['answer'],r['sentence'],r['file'],r['page']
    res=[]
    res.append(('answer_in_sentence', a!='' and a in s))
    if f.endswith('.pdf'):
        P=int(p); assert 1<=P<=npages(f)
        lay,pdm=page_texts(f,P)
        res.append(('sentence_in_layout', s in lay)); res.append(('sentence_in_pdfium', s in pdm))
        passed = res[0][1] and (res[1][1] or res[2][1])
    else:
        res.append(('page_empty', p=='')); res.append(('sentence_in_text', s in doc_text(f)))
        passed = all(x[1] for x in res)
    ok+=passed; fail+=not passed
    out.append(f"{r['id']}\t{f}\tp{p}\t{'PASS' if passed else 'FAIL'}\t"+' '.join(f'{k}={int(v)}' for k,v in res))
out.append(f'TOTAL rows={len(rows)} pass={ok} fail={fail}')
open('/work/labels/qa_blind2/out/verify.txt','w',encoding='utf-8').write('\n'.join(out)+'\n')
print(out[0]); print(out[-1])
for l in out:
    if 'FAIL' in l: print(l)
