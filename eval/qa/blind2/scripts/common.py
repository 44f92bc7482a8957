import re, subprocess, html, os
from functools import lru_cache
C='/work/shared/corpus/real'
def ws(s): return re.sub(r'\s+','',s)
@lru_cache(None)
def npages(f):
    import pypdfium2 as pdfium
    return len(pdfium.PdfDocument(os.path.join(C,f)))
@lru_cache(None)
def page_texts(f,p):
    """return (layout_ws, pdfium_ws) for PDF page p (1-based)"""
    import pypdfium2 as pdfium
    path=os.path.join(C,f)
    t1=subprocess.run(['pdftotext','-layout','-f',str(p),'-l',str(p),path,'-'],capture_output=True,text=True).stdout
    pdf=pdfium.PdfDocument(path); t2=pdf[p-1].get_textpage().get_text_range()
    return ws(t1), ws(t2)
@lru_cache(None)
def doc_text(f):
    path=os.path.join(C,f)
    if f.endswith('.docx'):
        from docx import Document
        d=Document(path); parts=[pp.text for pp in d.paragraphs]
        for t in d.tables:
            for r in t.rows:
                for c in r.cells: parts.append(c.text)
        return ws('\n'.join(parts))
    if f.endswith('.txt'): return ws(open(path,'rb').read().decode('cp932'))
    if f.endswith('.md'): return ws(open(path,encoding='utf-8').read())
    if f.endswith('.html'):
        b=open(path,'rb').read()
        try: s=b.decode('utf-8')
        except UnicodeDecodeError: s=b.decode('cp932')
        s=re.sub(r'<script.*?</script>|<style.*?</style>','',s,flags=re.S)
        return ws(html.unescape(re.sub(r'<[^>]+>','',s)))
    raise ValueError(f)
