#!/usr/bin/env python3
"""Mechanical check of blind3.tsv: 4 columns, valid id/genre/category, every expected original occurs in text
(#N required when the original occurs more than once, and the N-th occurrence must exist), sources.tsv covers every r-id."""
import re,sys,collections
D='/work/labels/koyobun/'
CATS=set('補助動詞 形式名詞 助詞・助動詞 接続詞 常用漢字表外 仮名書きの語 送り仮名 句読点 全角半角 半角カナ か月・か所 数字 文体 長文 二重否定 二重敬語 ら抜き言葉 PDF抽出'.split())
GENRES=set('通知 報告書 事務連絡 議事録 白書 ガイドライン 規約 マニュアル 法令 広報 依頼 案内'.split())
FIND=re.compile(r'^(?P<orig>.+?)(?:#(?P<n>-?\d+))?(?:→(?P<sug>.*?))?\[(?P<cat>[^\[\]]+)\]$')
def unesc(s): return re.sub(r'\\u\{([0-9A-Fa-f]+)\}',lambda m:chr(int(m.group(1),16)),s)
err=[];ids=[];n=0;cats=collections.Counter()
for ln,line in enumerate(open(D+'blind3.tsv',encoding='utf-8'),1):
    line=line.rstrip('\n')
    if line.startswith('# '): continue
    if not line.strip(): err.append(f'{ln}: empty line'); continue
    p=line.split('\t')
    if len(p)!=4: err.append(f'{ln}: {len(p)} columns'); continue
    n+=1; i,g,t,e=p; t=unesc(t); e=unesc(e); ids.append(i)
    if not re.fullmatch(r'[rs]\d{3}',i): err.append(f'{ln}: bad id {i}')
    if g not in GENRES: err.append(f'{ln}: bad genre {g}')
    if not t: err.append(f'{ln}: empty text')
    if not e: continue
    for f in e.split(' ; '):
        m=FIND.match(f)
        if not m: err.append(f'{ln}: bad finding {f!r}'); continue
        o,k,c=m.group('orig'),m.group('n'),m.group('cat')
        if c not in CATS: err.append(f'{ln}: bad category {c}')
        cats[c]+=1
        occ=[x.start() for x in re.finditer(re.escape(o),t)]
        # overlapping occurrences
        occ=[j for j in range(len(t)) if t.startswith(o,j)]
        if not occ: err.append(f'{ln} {i}: original not in text: {o!r}')
        elif k is None and len(occ)>1: err.append(f'{ln} {i}: {o!r} occurs {len(occ)} times, #N needed')
        elif k is not None:
            k=int(k)
            if k==0 or abs(k)>len(occ): err.append(f'{ln} {i}: {o!r}#{k} but only {len(occ)} occurrence(s)')
dup=[x for x,c in collections.Counter(ids).items() if c>1]
if dup: err.append(f'duplicate ids {dup}')
src={l.split('\t')[0] for l in open(D+'sources.tsv',encoding='utf-8') if not l.startswith('#')}
miss=[i for i in ids if i.startswith('r') and i not in src]
if miss: err.append(f'r-ids missing in sources.tsv: {miss}')
print(f'{n} data lines, {sum(1 for i in ids if i[0]=="r")} real, {sum(1 for i in ids if i[0]=="s")} written; findings per category: {dict(cats)}')
print('OK' if not err else '\n'.join(err))
sys.exit(1 if err else 0)
