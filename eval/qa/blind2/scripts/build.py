import sys, random, csv
sys.path.insert(0,'/work/labels/qa_blind2')
from common import *
from rows import A, U
def endpos(src,i):
    j=i
    while True:
        j=src.find('。',j)
        if j<0: return len(src)
        if j+1<len(src) and src[j+1] in '）)」』': j+=1; continue
        return j+1
out=[]; bad=[]
for (f,q,typ,para,ans,start,full) in A:
    start=ws(start); found=None
    if f.endswith('.pdf'):
        for p in range(1,npages(f)+1):
            lay,pdm=page_texts(f,p)
            for src in (pdm,lay):
                i=src.find(start)
                if i>=0:
                    sent=start if full else src[i:endpos(src,i)]
                    found=(p,sent); break
            if found: break
    else:
        src=doc_text(f); i=src.find(start)
        if i>=0: found=('', start if full else src[i:endpos(src,i)])
    if not found: bad.append((f,q,'START NOT FOUND',start)); continue
    p,sent=found
    if not sent or ans not in sent: bad.append((f,q,'ANSWER NOT IN SENTENCE',sent[:200])); continue
    out.append(dict(question=q,answerable=1,type=typ,paraphrased=para,file=f,page=p,answer=ans,sentence=sent))
for (q,typ,terms) in U:
    out.append(dict(question=q,answerable=0,type=typ,paraphrased=0,file='',page='',answer='',sentence=''))
for b in bad: print('BAD',b)
random.Random(20261208).shuffle(out)
with open('/work/labels/qa_blind2/out/questions.tsv','w',encoding='utf-8',newline='') as fh:
    cols=['id','question','answerable','type','paraphrased','file','page','answer','sentence']
    fh.write('\t'.join(cols)+'\n')
    for k,r in enumerate(out,1):
        r['id']=f'n{k:03d}'
        fh.write('\t'.join(str(r[c]) for c in cols)+'\n')
print('rows',len(out),'answerable',sum(r['answerable'] for r in out))
