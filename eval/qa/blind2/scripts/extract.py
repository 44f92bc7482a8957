import os, re, subprocess, json, sys
import pypdfium2 as pdfium
from docx import Document
C='/work/shared/corpus/real'; O='/work/labels/qa_blind2/text'
def ws(s): return re.sub(r'\s+','',s)
for f in sorted(os.listdir(C)):
    p=os.path.join(C,f); base=os.path.join(O,f)
    if f.endswith('.pdf'):
        pdf=pdfium.PdfDocument(p); n=len(pdf)
        with open(base+'.pages.txt','w') as out:
            for i in range(n):
                t1=subprocess.run(['pdftotext','-layout','-f',str(i+1),'-l',str(i+1),p,'-'],capture_output=True,text=True).stdout
                t2=pdf[i].get_textpage().get_text_range()
                out.write(f'\n======== PAGE {i+1} (layout) ========\n{t1}\n======== PAGE {i+1} (pdfium) ========\n{t2}\n')
    elif f.endswith('.docx'):
        d=Document(p); lines=[pp.text for pp in d.paragraphs]
        for t in d.tables:
            for r in t.rows: lines.append(' | '.join(c.text for c in r.cells))
        open(base+'.txt','w').write('\n'.join(lines))
    elif f.endswith('.txt'):
        open(base+'.txt','w').write(open(p,'rb').read().decode('cp932'))
    elif f.endswith('.html'):
        h=open(p,'rb').read()
        try: s=h.decode('utf-8')
        except: s=h.decode('cp932')
        s=re.sub(r'<script.*?</script>|<style.*?</style>','',s,flags=re.S)
        s=re.sub(r'<[^>]+>','',s)
        import html; open(base+'.txt','w').write(html.unescape(s))
    elif f.endswith('.md'):
        open(base+'.txt','w').write(open(p).read())
