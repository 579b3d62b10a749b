"""Presentation helpers for app.py: interface text (Vietnamese, English), styles, and HTML built from pipeline
records. Nothing here decides anything: every value shown comes from a `pipeline` function. All document text
is escaped before it becomes HTML, so a document holding ``<script>`` shows it as text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline import Stage
from pipeline.ask.cite import date_text
from pipeline.types import DocMeta, Passage, RowKind, TableRow

TEXT = {
    "vi": {
        "title": "Tra cứu văn bản",
        "tab_ask": "Hỏi đáp", "tab_refs": "Văn bản dẫn chiếu", "tab_library": "Thư viện",
        "filters": "Bộ lọc hỏi đáp", "docs": "Văn bản", "all_docs": "Tất cả văn bản", "year": "Năm",
        "all_years": "Tất cả", "k": "Số đoạn trích", "recent": "Câu hỏi gần đây", "english": "English",
        "question": "Câu hỏi", "ask": "Tìm",
        "question_hint": "Ví dụ: Tăng trưởng kinh tế năm 2022 đạt bao nhiêu? (gõ không dấu cũng được)",
        "answer": "Trả lời", "no_answer": "Không tìm thấy câu trả lời trong các văn bản đã có.",
        "took": "Trả lời trong {ms:.0f} ms · {n} đoạn trích", "passages": "Đoạn trích dẫn",
        "front": "(đầu văn bản)", "footnotes": "Chú thích", "from_footnote": "câu trả lời nằm trong chú thích",
        "copy": "Trích dẫn — bấm biểu tượng ở góc phải để sao chép:",
        "empty": "Chưa có văn bản nào được lập chỉ mục. Hãy tải văn bản (.docx, .pdf, .txt, .md…) lên ở thẻ "
                 "**Thư viện**, hoặc chạy `make run` hay `tracuu ingest data/ --index index`, rồi tải lại trang.",
        "ref_query": "Số hiệu văn bản", "ref_hint": "Gõ kiểu nào cũng được: 996/QĐ-TTg, qd 996, nghi quyet 27",
        "ref_search": "Tra", "ref_none": "Không tìm thấy văn bản dẫn chiếu nào khớp với “{q}”.",
        "ref_not_number": "“{q}” không có số hiệu văn bản — hãy gõ một số, ví dụ `qd 996`.",
        "mentions": "{n} lần được nhắc đến trong {d} văn bản", "in_library": "Có trong thư viện",
        "cites": "Văn bản này dẫn chiếu đến", "cited_by": "Được dẫn chiếu bởi", "unknown_date": "không rõ ngày",
        "partial": "số hiệu chưa đầy đủ", "all_refs": "Tất cả văn bản dẫn chiếu", "type": "Loại",
        "issuer": "Cơ quan ban hành", "no_refs": "Chỉ mục này chưa có văn bản dẫn chiếu nào.",
        "own_doc": "Văn bản mang số này trong thư viện",
        "col_ref": "Số hiệu", "col_type": "Loại", "col_issuer": "Ban hành", "col_date": "Ngày",
        "col_mentions": "Lượt nhắc", "col_docs": "Số văn bản nhắc", "col_doc": "Văn bản trong thư viện",
        "col_name": "Tệp", "col_title": "Tiêu đề", "col_number": "Số", "col_years": "Năm", "col_chunks": "Số đoạn",
        "stats": "{d} văn bản · {c} đoạn · mô hình {m}",
        "pending": "{n} đoạn đang chờ tạo vector: tạm thời chỉ tìm được theo từ khóa (việc nhúng đang chạy, hoặc "
                   "chạy lại `tracuu ingest` để hoàn tất).", "col_pending": "Chờ vector",
        "keyword_only": "Chỉ tìm theo từ khóa — tài liệu chưa nhúng xong: {docs}",
        "upload": "Thêm văn bản (.docx, .pdf, .txt, .md, .html, .doc)",
        "upload_help": "Mỗi tệp tối đa {mb:.0f} MB. Tệp không đọc được sẽ được báo riêng, các tệp khác vẫn được thêm.",
        "add": "Thêm vào thư viện", "adding": "Đang thêm văn bản…", "added": "Đã thêm: {names}",
        "updated": "Đã cập nhật: {names}", "unchanged": "Không đổi: {names}", "failed": "Không đọc được: {e}",
        "replace": "Thay thế văn bản đã có",
        "remove": "Xoá văn bản khỏi thư viện", "remove_pick": "Văn bản cần xoá", "remove_confirm": "Tôi chắc chắn",
        "remove_button": "Xoá", "removed": "Đã xoá: {names}", "stage_documents": "Đọc văn bản",
        "stage_chunks": "Tạo vector cho đoạn", "stage_names": "Tạo vector cho tên chỉ tiêu",
        "tab_compare": "So sánh", "cmp_query": "Chỉ tiêu",
        "cmp_hint": "Ví dụ: tăng trưởng kinh tế, thu ngan sach, thành lập mới doanh nghiệp",
        "cmp_pick": "…hoặc chọn một chỉ tiêu có số liệu nhiều năm", "cmp_go": "So sánh", "cmp_years": "Năm",
        "cmp_none": "Không tìm thấy chỉ tiêu nào khớp với “{q}”.", "cmp_names": "Các cách gọi đã gộp: {names}",
        "cmp_no_indicators": "Chỉ mục này chưa có chỉ tiêu nào — hãy chạy lại `tracuu ingest`.",
        "col_kind": "Loại", "col_raw": "Như in", "col_value": "Giá trị", "col_unit": "Đơn vị",
        "col_plan": "So với kế hoạch",
        "col_section": "Mục", "kind_result": "kết quả", "kind_target": "mục tiêu", "cmp_sources": "Câu nguồn",
        "cmp_csv": "Tải CSV", "cmp_xlsx": "Tải Excel", "cmp_took": "So sánh trong {ms:.0f} ms",
        "st_in force": "Còn hiệu lực", "st_amended": "Đã được sửa đổi, bổ sung", "st_replaced": "Đã bị thay thế",
        "st_repealed": "Đã bị bãi bỏ", "st_repealed in part": "Bị bãi bỏ một phần", "st_unknown": "Chưa rõ hiệu lực",
        "st_note": "theo các văn bản trong thư viện", "st_from": "hiệu lực từ {d}",
        "st_conflict": "Có nhiều văn bản cùng nói thay thế văn bản này — xem từng câu dẫn bên dưới.",
        "st_because": "Căn cứ", "timeline": "Diễn biến", "issued": "Ban hành", "took_effect": "Có hiệu lực",
        "rel_replaces": "Thay thế", "rel_replaced_by": "Bị thay thế bởi", "rel_amends": "Sửa đổi, bổ sung",
        "rel_amended_by": "Được sửa đổi, bổ sung bởi", "rel_repeals": "Bãi bỏ", "rel_repealed_by": "Bị bãi bỏ bởi",
        "rel_details": "Quy định chi tiết", "rel_detailed_by": "Được quy định chi tiết bởi",
        "rel_guides": "Hướng dẫn thi hành", "rel_guided_by": "Được hướng dẫn bởi", "rel_implements": "Căn cứ/thực hiện",
        "rel_implemented_by": "Là căn cứ của", "rel_corrects": "Đính chính", "rel_corrected_by": "Được đính chính bởi",
        "said_in": "theo", "col_effective": "Hiệu lực từ", "col_status": "Tình trạng",
        # a shared server ($TRACUU_AUTH=1): login, roles, collections, the queue
        "login_title": "Đăng nhập", "login_name": "Tên tài khoản", "login_password": "Mật khẩu",
        "login_submit": "Đăng nhập", "login_wrong": "Sai tên tài khoản hoặc mật khẩu.",
        "login_wait": "Đăng nhập sai nhiều lần: thử lại sau {s} giây.",
        "login_expired": "Phiên làm việc đã hết hạn sau {m:.0f} phút không dùng — hãy đăng nhập lại.",
        "login_gone": "Tài khoản này không còn nữa — hãy đăng nhập lại.", "logged_out": "Đã đăng xuất.",
        "sso_unknown": "Tài khoản “{name}” (đăng nhập một lần) chưa có trong hệ thống — hãy nhờ quản trị viên tạo.",
        "logout": "Đăng xuất", "signed_in": "Tài khoản **{name}** · {role}", "sees": "Bộ sưu tập: {c}",
        "sees_all": "tất cả bộ sưu tập",
        "role_reader": "người đọc", "role_editor": "biên tập viên", "role_admin": "quản trị viên",
        "collection": "Bộ sưu tập", "new_collection": "…hoặc tạo bộ sưu tập mới", "col_collection": "Bộ sưu tập",
        "queue_add": "Đưa vào hàng đợi", "queued": "Đã đưa vào hàng đợi (việc số {id}): {names}",
        "not_yours": "Bạn không được sửa bộ sưu tập “{c}”.",
        "clash_replace": "{names}: đã có trong thư viện — thay thế?",
        "clash_forbidden": "{names}: tên tệp này đã có ở bộ sưu tập bạn không được sửa — hãy đổi tên tệp.",
        "queue": "Hàng đợi cập nhật", "queue_note": "Câu hỏi vẫn được trả lời từ bản chỉ mục hiện tại cho đến khi "
                                                    "việc cập nhật xong.",
        "col_job": "Việc", "col_action": "Thao tác", "col_state": "Trạng thái", "col_progress": "Tiến độ",
        "col_actor": "Người yêu cầu", "col_result": "Kết quả", "col_created": "Lúc gửi",
        "job_add": "thêm", "job_remove": "xoá", "job_queued": "đang chờ", "job_running": "đang chạy",
        "job_done": "xong", "job_failed": "lỗi", "audit": "Nhật ký thao tác", "users": "Tài khoản",
        "col_at": "Lúc", "col_target": "Đối tượng", "col_detail": "Chi tiết", "col_account": "Tài khoản",
        "col_role": "Vai trò",
    },
    "en": {
        "title": "Document search",
        "tab_ask": "Ask", "tab_refs": "References", "tab_library": "Library",
        "filters": "Filters", "docs": "Documents", "all_docs": "All documents", "year": "Year",
        "all_years": "All", "k": "Passages", "recent": "Recent questions", "english": "English",
        "question": "Question", "ask": "Search",
        "question_hint": "E.g. Tăng trưởng kinh tế năm 2022 đạt bao nhiêu? (diacritics optional)",
        "answer": "Answer", "no_answer": "No answer found in the indexed documents.",
        "took": "Answered in {ms:.0f} ms · {n} passages", "passages": "Cited passages",
        "front": "(front matter)", "footnotes": "Footnotes", "from_footnote": "the answer is in a footnote",
        "copy": "Citation — click the icon on the right to copy:",
        "empty": "No document is indexed yet. Upload documents (.docx, .pdf, .txt, .md…) in the **Library** tab, "
                 "or run `make run` or `tracuu ingest data/ --index index`, then reload the page.",
        "ref_query": "Document number", "ref_hint": "Typed any way: 996/QĐ-TTg, qd 996, nghi quyet 27",
        "ref_search": "Look up", "ref_none": "No reference matches “{q}”.",
        "ref_not_number": "“{q}” holds no document number — type one, e.g. `qd 996`.",
        "mentions": "mentioned {n} times in {d} documents", "in_library": "In the library",
        "cites": "This document cites", "cited_by": "Cited by", "unknown_date": "date unknown",
        "partial": "incomplete number", "all_refs": "All references", "type": "Type",
        "issuer": "Issuer", "no_refs": "This index holds no references yet.",
        "own_doc": "The document bearing this number",
        "col_ref": "Number", "col_type": "Type", "col_issuer": "Issuer", "col_date": "Date",
        "col_mentions": "Mentions", "col_docs": "Documents citing", "col_doc": "Indexed document",
        "col_name": "File", "col_title": "Title", "col_number": "Number", "col_years": "Years", "col_chunks": "Chunks",
        "stats": "{d} documents · {c} chunks · model {m}",
        "pending": "{n} chunks wait for vectors: found by keyword only for now (embedding is under way, or run "
                   "`tracuu ingest` again to finish it).", "col_pending": "Waiting for vectors",
        "keyword_only": "Keyword search only — not embedded yet: {docs}",
        "upload": "Add documents (.docx, .pdf, .txt, .md, .html, .doc)",
        "upload_help": "At most {mb:.0f} MB a file. A file that cannot be read is reported; the others are added.",
        "add": "Add to the library", "adding": "Adding documents…", "added": "Added: {names}",
        "updated": "Updated: {names}", "unchanged": "Unchanged: {names}", "failed": "Could not read: {e}",
        "replace": "Replace the indexed documents",
        "remove": "Remove a document", "remove_pick": "Document to remove", "remove_confirm": "I am sure",
        "remove_button": "Remove", "removed": "Removed: {names}", "stage_documents": "Reading documents",
        "stage_chunks": "Embedding passages", "stage_names": "Embedding indicator names",
        "tab_compare": "Compare", "cmp_query": "Indicator",
        "cmp_hint": "E.g. tăng trưởng kinh tế, thu ngan sach, thành lập mới doanh nghiệp",
        "cmp_pick": "…or pick an indicator with figures for several years", "cmp_go": "Compare", "cmp_years": "Years",
        "cmp_none": "No indicator matches “{q}”.", "cmp_names": "Wordings grouped: {names}",
        "cmp_no_indicators": "This index holds no indicators yet — run `tracuu ingest` again.",
        "col_kind": "Kind", "col_raw": "As printed", "col_value": "Value", "col_unit": "Unit",
        "col_plan": "Against plan",
        "col_section": "Section", "kind_result": "result", "kind_target": "target", "cmp_sources": "Source sentences",
        "cmp_csv": "Download CSV", "cmp_xlsx": "Download Excel", "cmp_took": "Compared in {ms:.0f} ms",
        "st_in force": "In force", "st_amended": "Amended", "st_replaced": "Replaced", "st_repealed": "Repealed",
        "st_repealed in part": "Repealed in part", "st_unknown": "Status unknown",
        "st_note": "as the indexed documents say", "st_from": "in force from {d}",
        "st_conflict": "More than one document says it replaces this one — see each sentence below.",
        "st_because": "Because", "timeline": "Timeline", "issued": "Issued", "took_effect": "Takes effect",
        "rel_replaces": "Replaces", "rel_replaced_by": "Replaced by", "rel_amends": "Amends",
        "rel_amended_by": "Amended by", "rel_repeals": "Repeals", "rel_repealed_by": "Repealed by",
        "rel_details": "Details", "rel_detailed_by": "Detailed by", "rel_guides": "Guides",
        "rel_guided_by": "Guided by",
        "rel_implements": "Based on", "rel_implemented_by": "Basis of", "rel_corrects": "Corrects",
        "rel_corrected_by": "Corrected by", "said_in": "per", "col_effective": "In force from",
        "col_status": "Status",
        "login_title": "Log in", "login_name": "Account name", "login_password": "Password",
        "login_submit": "Log in", "login_wrong": "Wrong account name or password.",
        "login_wait": "Too many failed logins: try again in {s} seconds.",
        "login_expired": "The session expired after {m:.0f} minutes without use — log in again.",
        "login_gone": "This account no longer exists — log in again.", "logged_out": "Logged out.",
        "sso_unknown": "The account “{name}” (single sign-on) does not exist here — ask an administrator to create it.",
        "logout": "Log out", "signed_in": "Account **{name}** · {role}", "sees": "Collections: {c}",
        "sees_all": "all collections",
        "role_reader": "reader", "role_editor": "editor", "role_admin": "administrator",
        "collection": "Collection", "new_collection": "…or a new collection", "col_collection": "Collection",
        "queue_add": "Queue for adding", "queued": "Queued (job {id}): {names}",
        "not_yours": "You may not edit the collection “{c}”.",
        "clash_replace": "{names}: already in the library — replace?",
        "clash_forbidden": "{names}: this file name is taken in a collection you may not edit — rename the file.",
        "queue": "Update queue", "queue_note": "Questions keep being answered from the current index until an "
                                              "update is finished.",
        "col_job": "Job", "col_action": "Action", "col_state": "State", "col_progress": "Progress",
        "col_actor": "Asked by", "col_result": "Result", "col_created": "Sent",
        "job_add": "add", "job_remove": "remove", "job_queued": "queued", "job_running": "running",
        "job_done": "done", "job_failed": "failed", "audit": "Audit log", "users": "Accounts",
        "col_at": "At", "col_target": "Target", "col_detail": "Detail", "col_account": "Account",
        "col_role": "Role",
    },
}

# the interface text that names each step of an ingest (the upload's progress bar)
STAGE_TEXT = {Stage.DOCUMENTS: "stage_documents", Stage.CHUNKS: "stage_chunks", Stage.NAMES: "stage_names"}

CSS = """<style>
.tc-answer{border-left:4px solid #1f6feb;background:#f6f8fa;padding:.8em 1.1em;margin:.4em 0 1em;
  font-size:1.08rem;line-height:1.7;max-width:52rem}
.tc-card{border:1px solid #d0d7de;border-radius:8px;padding:.8em 1.1em;margin:.2em 0 .3em;max-width:52rem;
  scroll-margin-top:4rem}
.tc-card .tc-head{font-weight:600;line-height:1.4}
.tc-card .tc-meta{color:#57606a;font-size:.85rem;margin:.15em 0 .5em}
.tc-card .tc-body{font-size:1.02rem;line-height:1.7;font-family:"Noto Serif","Times New Roman",serif}
.tc-card .tc-table{border-collapse:collapse;margin:.3em 0;font-size:.92rem}
.tc-card .tc-table td,.tc-card .tc-table th{border:1px solid #d0d7de;padding:.15em .45em;vertical-align:top}
.tc-card .tc-table th{background:#f6f8fa}
.tc-card .tc-table tr.tc-hit td{background:#fff3b0}
.tc-card .tc-foot{border-top:1px dashed #d0d7de;margin-top:.6em;padding-top:.4em;font-size:.9rem;color:#3d444d}
.tc-card mark,.tc-answer mark,.tc-ctx mark{background:#fff3b0;padding:0 .1em}
.tc-cite{font-weight:600;text-decoration:none}
.tc-ctx{font-size:.95rem;line-height:1.6;margin:.2em 0 .6em}
.tc-badge{display:inline-block;border-radius:1em;padding:.1em .7em;font-size:.85rem;font-weight:600;color:#fff}
.tc-st-in-force{background:#1a7f37}.tc-st-amended{background:#9a6700}
.tc-st-replaced,.tc-st-repealed{background:#cf222e}
.tc-st-repealed-in-part{background:#bc4c00}.tc-st-unknown{background:#6e7781}
.tc-timeline{border-left:2px solid #d0d7de;margin:.4em 0 .8em .3em;padding-left:.9em;font-size:.93rem;line-height:1.6}
.tc-timeline .tc-when{color:#57606a;font-variant-numeric:tabular-nums;margin-right:.5em}
</style>"""

_MARKER_RE = re.compile(r"\[(\d+)\]")
_MARKDOWN_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:@&])")
# in HTML, the characters Markdown (GitHub's, and Streamlit's directives, emoji and math) would act on become
# character references, which Markdown shows as the character and never parses: no link, image, autolink
# (``http:``, ``mailto:``, ``www.``, ``a@b.c``), emphasis, code, math or ``:red[…]`` can come from a document
_HTML_MARKDOWN_RE = re.compile(r"[&<>\"'\\`*_\[\]!~$:@|#{}^]|(?<=[wW]{3})\.")
_HTML_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}


def plain(text: str) -> str:
    """User or document text inside a Markdown label or message: every Markdown character escaped, so
    ``a_b_c`` stays as typed and ``![x](http://…)`` loads nothing."""
    return _MARKDOWN_RE.sub(r"\\\1", text)


def esc(text: str) -> str:
    """Escaped for the HTML of one st.markdown call, newlines as <br>: HTML characters as entities, and the
    Markdown ones too, so a document's ``[x](http://…)``, ``![](…)`` or ``<img …>`` shows as written."""
    escaped = _HTML_MARKDOWN_RE.sub(lambda m: _HTML_NAMED.get(m.group()) or f"&#{ord(m.group())};", text)
    return "<br>".join(escaped.splitlines())


def marked(text: str, spans: Sequence[tuple[int, int]], offset: int = 0) -> str:
    """`text` escaped, the (start, end) ranges (relative to `offset`) wrapped in <mark>."""
    out, pos = [], 0
    for a, b in spans:
        a, b = max(0, a - offset), min(len(text), b - offset)
        if b <= a or a < pos:
            continue
        out += [esc(text[pos:a]), "<mark>", esc(text[a:b]), "</mark>"]
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


def anchor(rank: int) -> str:
    return f"trich-{rank}"


def answer_html(text: str, label: str) -> str:
    """The answer, escaped, each [n] a link to passage card n."""
    pieces = _MARKER_RE.split(text)  # text, marker number, text, …
    body = "".join(esc(x) if i % 2 == 0 else f'<a class="tc-cite" href="#{anchor(int(x))}">[{x}]</a>'
                   for i, x in enumerate(pieces))
    return f'<div class="tc-answer"><b>{esc(label)}:</b> {body}</div>'


def _row_html(row: TableRow, width: int, hit: bool) -> str:
    """One table row: headers as <th>, a group label across the table, data cells right-aligned under their
    columns (a row that shares merged cells with the rows above has fewer)."""
    cls = ' class="tc-hit"' if hit else ""
    if row.kind is RowKind.HEADER:
        return f"<tr{cls}>" + "".join(f"<th>{esc(h)}</th>" for h in row.header) + "</tr>"
    if row.kind is RowKind.GROUP:
        return f'<tr{cls}><td colspan="{width}"><b>{esc(row.text)}</b></td></tr>'
    pad = "<td></td>" * max(0, width - len(row.cells))
    return f"<tr{cls}>{pad}" + "".join(f"<td>{esc(c)}</td>" for c in row.cells) + "</tr>"


def body_html(p: Passage, spans: Sequence[tuple[int, int]]) -> str:
    """The passage's body, its table rows drawn as a table (from the rows it carries, the line each prints
    matched in order), the answering span or row marked."""
    if not p.rows:
        return marked(p.text, spans)
    out: list[str] = []
    table: list[str] = []
    rows, k, offset = p.rows, 0, 0
    width = max(len(r.header) or len(r.cells) for r in rows)
    for line in p.text.split("\n"):
        end = offset + len(line)
        if k < len(rows) and line == rows[k].printed:
            table.append(_row_html(rows[k], width, any(a < end and b > offset for a, b in spans)))
            k += 1
        else:
            if table:
                out.append(f'<table class="tc-table">{"".join(table)}</table>')
                table = []
            out.append(marked(line, [(a - offset, b - offset) for a, b in spans if a < end and b > offset]) + "<br>")
        offset = end + 1
    if table:
        out.append(f'<table class="tc-table">{"".join(table)}</table>')
    return "".join(out)


def card_html(p: Passage, spans: Sequence[tuple[int, int]], meta_line: str, t: dict[str, str]) -> str:
    """One cited passage: title, number and date, breadcrumb, the passage with the answering span marked, and
    the footnotes it carries (the span marked there when the answer came from a footnote)."""
    body, notes = p.text, p.footnotes
    title = esc(p.title or p.doc)
    head = f'<div class="tc-head">[{p.rank}] {title}</div>'
    where = " · ".join(x for x in (p.section or t["front"], f"trang {p.page}" if p.page else "") if x)
    meta = f'<div class="tc-meta">{esc(meta_line)}<br>{esc(where)}</div>'
    parts = [f'<div class="tc-card" id="{anchor(p.rank)}">', head, meta,
             f'<div class="tc-body">{body_html(p, spans)}</div>']
    if notes:
        offset = len(body) + 1
        lines, hit = [], False
        for n, note in notes:
            prefix = f"[{n}] "
            local = [(a, b) for a, b in spans if a >= offset + len(prefix) and b <= offset + len(prefix) + len(note)]
            hit = hit or bool(local)
            lines.append(f"<sup>{n}</sup> {marked(note, local, offset + len(prefix))}")
            offset += len(prefix) + len(note) + 1
        label = t["footnotes"] + (f" — {t['from_footnote']}" if hit else "")
        parts.append(f'<div class="tc-foot"><b>{esc(label)}</b><br>{"<br>".join(lines)}</div>')
    parts.append("</div>")
    return "".join(parts)


def context_html(sentence: str, ref: str) -> str:
    """A mention's sentence, escaped, the number itself marked."""
    start = sentence.find(ref)
    return f'<div class="tc-ctx">{marked(sentence, [(start, start + len(ref))] if start >= 0 else [])}</div>'


def status_badge_html(status: str, effective: str | None, t: dict[str, str]) -> str:
    """A status badge ("Đã bị thay thế") with the date the document says it takes effect."""
    label = t.get(f"st_{status}", status)
    when = f" · {esc(t['st_from'].format(d=date_text(effective)))}" if effective else ""
    return (f'<span class="tc-badge tc-st-{esc(status.replace(" ", "-"))}">{esc(label)}</span>'
            f'<small>{when} · {esc(t["st_note"])}</small>')


def timeline_html(events: Sequence[tuple[str | None, str, str, str]], t: dict[str, str]) -> str:
    """Dated events, oldest first: (ISO date or None, label, the other document as HTML already escaped, the
    sentence saying so)."""
    rows = []
    for when, label, other, sentence in sorted(events, key=lambda e: e[0] or "9999"):
        shown = esc(date_text(when)) if when else "—"
        rows.append(f'<div><span class="tc-when">{shown}</span><b>{esc(t.get(label, label))}</b> {other}'
                    + (f'<div class="tc-ctx">{esc(sentence)}</div>' if sentence else "") + "</div>")
    return f'<div class="tc-timeline">{"".join(rows)}</div>'


def doc_line(name: str, meta: DocMeta | None) -> str:
    """Number, date and file of a document: ``Số 97/2025/QĐ-UBND · ngày 25/11/2025 · qd-97-2025-ubnd.md``."""
    if meta is None:
        return name
    parts = [f"Số {meta.number}" if meta.number else "", date_text(meta.date) if meta.date else "", name]
    return " · ".join(x for x in parts if x)
