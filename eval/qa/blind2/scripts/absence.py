"""For each unanswerable question: search all 40 documents (whitespace-removed text; PDFs via
pdftotext -layout and pypdfium2, both searched) for key terms and variants; list hits with context."""
import sys, os, csv
sys.path.insert(0,'/work/labels/qa_blind2')
from common import ws, page_texts, doc_text, npages, C
from rows import U
VERDICT = {
"無効化したアカウントは何日たったら削除するのか":"report_cio_zerotrust_account p19 says only 使用期限になったら無効化し、一定期間経過後に削除する; the period is never given (no 日後/日経過 anywhere). Near miss.",
"法制審議会の臨時委員の任期は何年か":"法制審議会令 gives 任期 二年 only for 委員 (第二条２) and 幹事 (第五条４); 第三条２ applies only 第二条第一項・第四項 to 臨時委員, and 第三条３ says they are 解任 when the matter ends. No term in years. Near miss.",
"焼津データマップで表示できるデータは全部で何種類あるか":"manual_yaizu_datamap lists categories/examples (重いデータの例) and '背景地図は以下の3種類' (background maps, not data); no total number of data layers anywhere.",
"訪問看護指示書に記入されている緊急時の連絡先の電話番号は":"yoshiki_mhlw_houmonkango_shijisho is a blank form: field 緊急時の連絡先 and 電話（）－ exist but carry no value.",
"船荷証券の中間試案へのパブリック・コメントには何件の意見が寄せられたか":"Only the period (令和５年３月３１日～５月１２日) is given (slides, 198議事録). The only count '約１３０件の意見' in 198議事録 is for the 区分所有法制 中間試案. No count for 船荷証券.",
"かつらぎ町の表彰の功績調書はいつまでに出せばよいか":"kitei_katsuragi_hyosho 第7条 says 所管課等 prepare 功績調書 and 内申 via 総務課; no deadline (no 期限/までに). 別記様式 itself is not reproduced.",
"2021年1月31日時点の北海道の新型コロナ退院者数は":"hodo table has only 陽性者数, 検査人数, ％ columns; 退院 appears only in the header note about 退院時の確認検査. No discharge counts.",
"石橋病院が電話診療で使っているオンライン診療アプリの名前は":"list_mhlw_online_shinryo_miyagi columns: 施設名, 郵便番号, 住所, 電話番号, URL, 初診/再診の実施の有無, 診療科, 医師名, 連携医療機関. No app/system column.",
"保有個人情報開示請求書を郵送するときの送り先の住所は":"yoshiki_moj_kaiji_seikyu explains 送付による開示請求 (本人確認書類の写し, 住民票の写し) but gives no mailing address; 宛先/送付先 0 hits; addressee is only '法務大臣又は○○○○長'.",
"諮問第百二十一号の答申の期限はいつまでか":"shimon_moj_121 asks for 要綱 without any deadline; 期限 appears only in unrelated docs. (The later 総会 date in 部会16 is a meeting plan, not a deadline.)",
"東京都で文章生成AIを業務に使える職員は何人いるか":"hakusho ch5 p2: 東京都 made a guideline (令和５年８月) and set up an environment; no number of staff.",
"デジタル庁の法制事務補助の実験ではどの生成AIサービスを使ったのか":"hakusho ch5 p1: only '令和５年６月から10月に生成ＡＩを利用した法制事務補助の実験を実施'; no service name.",
"焼津オープンデータカタログの問い合わせ用メールアドレスは":"kiyaku says 'お問合せまでご連絡ください' and 問い合わせは日本語; no e-mail address anywhere ('@' 0 hits). The API docs give a web form only for 独自ドメイン hosting.",
"データ入門コース（統一研修）の受講者は何人だったか":"datajinzai_annex: データ入門コース held 2021年１月12日; 受講/参加者 0 hits. (datajinzai gives views/downloads of published material, not attendees.)",
"例規集の改版に伴う整備で改められた条例は何本あるか":"jorei_katsuragi_reiki_seibi states the rules (用字, 句読点, 語句) but not how many ordinances were amended.",
"政府情報システムのゼロトラスト移行はいつまでに完了する目標か":"report_cio_zerotrust (pdf/docx) speaks of 段階的に複数年かけた移行計画; no target year (完了/目標年度 0 hits).",
"日本国内でChatGPTを利用している人の割合は何％か":"hakusho ch1 p2 cites a 野村総合研究所 survey '日本のChatGPT利用動向' in a footnote; no percentage is printed in the text.",
"電子船荷証券記録の保存期間は何年か":"保存期間 occurs only in the AI guideline (記録の保存期間等について検討); no retention period for 電子船荷証券記録 in 試案/補足説明/要綱案.",
"汎カナダAI戦略の第２段階にカナダ政府が投じる予算はいくらか":"hakusho ch3 p10-11: 2017年３月 strategy, 2022年６月 第２段階 with three pillars (①商用化, ②標準, ③人材育成と研究開発) and institutes; no amount (no ドル/予算 on those pages; amounts in ch3 are for France/US/Singapore). NB: a first candidate about SEA-LION's budget was dropped because ch3 p12 gives 7,000万シンガポールドル.",
"かつらぎ町の表彰式はどこで開かれるのか":"kitei_katsuragi_hyosho gives date (隔年7月1日) and method (表彰状及び記念品); no place (会場/表彰式 0 hits).",
"法制審議会第198回会議の議事録はいつ公開されたのか":"198議事録 ends with the 会長's proposal on 議事録の公開方法 (発言者名 etc.); no publication date.",
"NSFが新設したAI研究拠点1か所あたりの支援額はいくらか":"hakusho ch3 p3: 新設７拠点を含む計25の研究拠点に対して約５億ドル (total); 第１-３-３表 lists 拠点名/テーマ/資金提供主体 only. No per-institute amount.",
"焼津都市情報APIのAPIキーの有効期限は":"manual_yaizu_api_docs: APIキー is issued after an inquiry; no validity period (有効期限 only in zerotrust_account about groups).",
"第198回会議を芳野委員が欠席した理由は何か":"198議事録: '本日御欠席の芳野委員から意見書の送付がありました' — absence stated, reason not.",
"文部科学省の教育コンテンツデータベースNICERの運用が終わったのはなぜか":"report_cio_metadata: 'NICER' once ('以前文部科学省が運用を行っていた'); no reason for ending.",
"法制審議会の委員が任期途中で辞めるときの手続は":"法制審議会令/議事規則 have no 辞任/辞職 rule (0 hits); 198議事録 only reports that 前会長 井田良委員が退任. Near miss.",
}
def all_texts():
    for f in sorted(os.listdir(C)):
        if f in ('MANIFEST.tsv','README.md','SHA256SUMS'): continue
        if f.endswith('.pdf'):
            for p in range(1,npages(f)+1):
                lay,pdm=page_texts(f,p); yield f,p,lay,pdm
        else: yield f,'',doc_text(f),''
T=list(all_texts())
qid={r['question']:r['id'] for r in csv.DictReader(open('/work/labels/qa_blind2/out/questions.tsv',encoding='utf-8'),delimiter='\t')}
out=['Absence check for unanswerable questions. Search space: all 40 documents in /work/shared/corpus/real',
     '(PDF pages via pdftotext -layout and pypdfium2, DOCX paragraphs+tables, TXT CP932, HTML tag-stripped, MD).',
     'Matching is on whitespace-removed text. For each term: number of pages/files hit and up to 3 contexts.','']
for q,typ,terms in U:
    out.append(f'=== {qid.get(q,"?")} [{typ}] {q}')
    for t in terms:
        t=ws(t); hits=[]
        for f,p,lay,pdm in T:
            src = pdm if (pdm and t in pdm) else lay
            i=src.find(t)
            if i>=0 or (pdm and t in pdm): hits.append((f,p,src[max(0,i-35):i+len(t)+35]))
        files=sorted(set(h[0] for h in hits))
        out.append(f'  term「{t}」: {len(hits)} page(s) in {len(files)} file(s): {", ".join(files) if files else "-"}')
        for f,p,c in hits[:3]: out.append(f'     {f} p{p}: …{c}…')
    out.append('  VERDICT: not answerable — '+VERDICT[q]); out.append('')
open('/work/labels/qa_blind2/out/absence_check.txt','w',encoding='utf-8').write('\n'.join(out)+'\n')
print(len(U),'checked')
