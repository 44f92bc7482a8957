import subprocess, re, os, sys, json, functools
CORPUS='/work/shared/corpus/real'
WS=re.compile(r'\s+')
def nows(s): return WS.sub('', s)

@functools.lru_cache(None)
def pages(doc):
    """return list of dicts per page: {'layout':..., 'raw':..., 'pdfium':...} whitespace-removed; non-PDF: one page with key 'text'"""
    path=os.path.join(CORPUS, doc)
    if doc.endswith('.pdf'):
        n=int(re.search(r'Pages:\s+(\d+)', subprocess.run(['pdfinfo',path],capture_output=True,text=True).stdout).group(1))
        import pypdfium2 as pdfium
        pd=pdfium.PdfDocument(path)
        out=[]
        for i in range(1,n+1):
            lay=subprocess.run(['pdftotext','-layout','-f',str(i),'-l',str(i),path,'-'],capture_output=True,text=True).stdout
            raw=subprocess.run(['pdftotext','-f',str(i),'-l',str(i),path,'-'],capture_output=True,text=True).stdout
            pdm=pd[i-1].get_textpage().get_text_range()
            out.append({'layout':nows(lay),'raw':nows(raw),'pdfium':nows(pdm)})
        return out
    if doc.endswith('.txt'):
        t=open(path,'rb').read().decode('cp932')
    elif doc.endswith('.docx'):
        import docx
        d=docx.Document(path)
        parts=[p.text for p in d.paragraphs]
        for t_ in d.tables:
            for r in t_.rows:
                for c in r.cells: parts.append(c.text)
        # also raw XML text (footnotes etc.)
        import zipfile
        z=zipfile.ZipFile(path)
        xmltext=''
        for name in z.namelist():
            if name.startswith('word/') and name.endswith('.xml'):
                x=z.read(name).decode('utf8','replace')
                xmltext+=re.sub(r'<[^>]+>','',x)
        return [{'docx':nows('\n'.join(parts)),'xml':nows(xmltext)}]
    elif doc.endswith('.html'):
        import html
        t=open(path,encoding='utf8',errors='replace').read()
        t=html.unescape(re.sub(r'<[^>]+>','',t))
    else:
        t=open(path,encoding='utf8').read()
    return [{'text':nows(t)}]

def find(doc, term):
    """pages (1-based) and extraction kinds where term occurs"""
    res=[]
    for i,pg in enumerate(pages(doc),1):
        kinds=[k for k,v in pg.items() if term in v]
        if kinds: res.append((i,kinds))
    return res
if __name__=='__main__':
    doc=sys.argv[1]
    for t in sys.argv[2:]:
        print(t, find(doc,t))
