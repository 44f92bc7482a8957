# -*- coding: utf-8 -*-
"""Mechanical absence check for the unanswerable questions: every document of the
folder is extracted (same extractors as build.py: pdftotext -layout, pdftotext raw,
python-docx, html/md/txt) and searched, whitespace removed, for patterns that an
answer would have to contain. Prints every hit with context so it can be judged."""
import os, re, sys, glob
sys.path.insert(0, os.path.dirname(__file__))
import build
from questions_src import UNANSWERABLE

CHECKS = {
    '芳野': r'芳野',
    '手当': r'手当|日当|報酬の額|報酬額|非常勤.{0,20}(円|給)',
    '国会で成立': r'(法案|法律).{0,20}成立|国会.{0,30}(成立|可決)',
    '登録料': r'登録料|手数料|発行料',
    '賛成意見': r'賛成意見|賛成.{0,10}件',
    '会議室で出席': r'会議室.{0,20}(名|人)|出席.{0,6}[0-9０-９]+名',
    'ゼロトラスト費用': r'(移行|ゼロトラスト).{0,30}(費用|億円|万円|予算額)',
    '海外DC件数': r'(海外|国外).{0,40}[0-9０-９]+件',
    'ガバメントネットワーク開始': r'ガバメントネットワーク.{0,30}(年|月|開始)',
    '採用人数': r'採用人数|[0-9０-９]+(名|人).{0,10}採用|採用.{0,10}[0-9０-９]+(名|人)',
    'AISI所長': r'所長|センター長',
    '課徴金上限': r'課徴金.{0,60}(ユーロ|%|％|上限)|(ユーロ|%|％).{0,20}課徴金',
    'GPAI東京センター': r'GPAI東京|ＧＰＡＩ東京',
    'ドイツ予算': r'ドイツ.{0,400}(ユーロ|億)',
    'パイロット校高校': r'高等学校|高校',
    '改定率': r'改定率',
    '死亡者数': r'死亡|死者',
    '受付時間': r'受付時間|診療時間|[0-9０-９]{1,2}時[0-9０-９～〜-]',
    'ODC規約施行': r'(規約|本規約).{0,30}(施行|制定|適用する)|令和.{0,8}年.{0,8}月.{0,8}日',
    'APIリクエスト上限': r'リクエスト|上限|回まで',
    'CSVダウンロード': r'CSV|ＣＳＶ|ダウンロード',
    '記念品上限': r'記念品.{0,40}(円|上限|額)',
    '隔年の理由': r'隔年.{0,60}(理由|ため)',
    '開示決定期限': r'開示決定.{0,60}日以内|日以内.{0,30}開示決定|[0-9０-９]+日以内に.{0,20}(決定|通知)',
    '訪問看護指示料': r'訪問看護指示料',
    'ベースレジストリ期限': r'ベース・レジストリ.{0,40}(年度|までに|年まで)',
    'ガイドライン1.1版': r'第1\.1版|第１．１版|1\.1版',
}
# which check belongs to which unanswerable question (same order as UNANSWERABLE)
ORDER = ['芳野', '手当', '国会で成立', '登録料', '賛成意見', '会議室で出席', 'ゼロトラスト費用',
         '海外DC件数', 'ガバメントネットワーク開始', '採用人数', 'AISI所長', '課徴金上限',
         'GPAI東京センター', 'ドイツ予算', 'パイロット校高校', '改定率', '死亡者数', '受付時間',
         'ODC規約施行', 'APIリクエスト上限', 'CSVダウンロード', '記念品上限', '隔年の理由',
         '開示決定期限', '訪問看護指示料', 'ベースレジストリ期限', 'ガイドライン1.1版']
# restrict some checks to the documents of the topic (patterns too generic elsewhere)
SCOPE = {
    '受付時間': ['list_mhlw_online_shinryo_miyagi.pdf'],
    'ODC規約施行': ['kiyaku_yaizu_opendata.pdf'],
    'APIリクエスト上限': ['manual_yaizu_api_docs.md'],
    'CSVダウンロード': ['manual_yaizu_datamap.pdf', 'kiyaku_yaizu_opendata.pdf', 'manual_yaizu_api_docs.md'],
    'パイロット校高校': ['hakusho_mext_st_r6_ch1.pdf', 'hakusho_mext_st_r6_ch3.pdf', 'hakusho_mext_st_r6_ch5.pdf'],
    '会議室で出席': ['gijiroku_moj_shoho_bukai16.pdf'],
    '手当': ['hourei_moj_hoseishingikai_rei.pdf', 'kitei_moj_hoseishingikai_giji_kisoku.pdf', 'gijiroku_moj_hoseishingikai198.txt'],
}

def main():
    assert len(ORDER) == len(UNANSWERABLE)
    files = sorted(f for f in os.listdir(build.CORPUS)
                   if f.rsplit('.', 1)[-1] in ('pdf', 'docx', 'html', 'md', 'txt'))
    for (q, _), key in zip(UNANSWERABLE, ORDER):
        pat = re.compile(CHECKS[key])
        print(f'\n## {q}\n   pattern[{key}]: {CHECKS[key]}')
        n = 0
        for f in files:
            if key in SCOPE and f not in SCOPE[key]:
                continue
            _, variants = build.doc(f)
            seen = set()
            for v in variants.values():
                for m in pat.finditer(v):
                    ctx = v[max(0, m.start() - 30): m.end() + 30]
                    if m.group(0) + f in seen:
                        continue
                    seen.add(m.group(0) + f)
                    n += 1
                    if n <= 6:
                        print(f'   hit [{f}] …{ctx}…')
        print(f'   hits: {n}' + ('' if n else '  (absent)'))

if __name__ == '__main__':
    main()
