"""The import wizard: upload → dry run (streamed progress) → commit → revert; downloads."""

from __future__ import annotations

import io
import json
import re

from import_support import NOW, run, write_xlsx
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from cultivation.enterprises.credit_code import make_code
from cultivation.enterprises.models import Enterprise
from cultivation.imports.models import ImportBatch
from cultivation.portfolios import services as portfolios


def code(n: int) -> str:
    return make_code("91331024", f"{62000000 + n:08d}")


def _file(tmp_path, rows):
    path = write_xlsx(tmp_path / "firms.xlsx", rows)
    return (io.BytesIO(path.read_bytes()), "企业名单.xlsx")


ROWS = [["企业名称", "统一社会信用代码", "所属乡镇"],
        ["页面导入甲公司", code(1), "安洲街道"],
        ["页面导入乙公司", code(2)[:17] + ("0" if code(2)[17] != "0" else "1"), "安洲街道"]]


def _upload(auth, tmp_path, rows=ROWS):
    response = auth.post("/imports", {"file": _file(tmp_path, rows), "kind": "auto"},
                         content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def test_leaders_cannot_open_the_import_wizard(auth):
    auth.login("leader")
    assert auth.client.get("/imports").status_code == 403


def test_the_wizard_checks_commits_and_reverts(auth, client, tmp_path, db_session):
    auth.login("admin")
    page = client.get("/imports")
    assert "上传并检查" in page.get_data(as_text=True)
    location = _upload(auth, tmp_path)
    batch = db_session.scalars(select(ImportBatch)).one()
    assert batch.status == "pending"
    assert location.endswith(f"/imports/{batch.id}")
    assert "正在检查" in client.get(location).get_data(as_text=True)
    checked = auth.post(f"/imports/{batch.id}/check", {}, form_url=location)
    assert checked.status_code == 302
    assert db_session.scalar(select(Enterprise).where(Enterprise.credit_code == code(1))) is None
    html = client.get(location).get_data(as_text=True)
    assert "校验位错误" in html
    assert "确认导入 1 行有效数据" in html
    report = client.get(f"/imports/{batch.id}/errors.xlsx")
    sheet = load_workbook(io.BytesIO(report.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("行号", "列", "值", "问题")
    assert rows[2][0] == 3
    assert "校验位" in rows[2][3]
    committed = auth.post(f"/imports/{batch.id}/commit", {}, form_url=location)
    assert committed.status_code == 302
    firm = db_session.scalar(select(Enterprise).where(Enterprise.credit_code == code(1)))
    assert firm is not None
    assert firm.import_batch_id == batch.id
    assert "已导入" in client.get("/imports").get_data(as_text=True)
    reverted = auth.post(f"/imports/{batch.id}/revert", {}, form_url=location)
    assert reverted.status_code == 302
    assert db_session.scalar(select(Enterprise).where(Enterprise.credit_code == code(1))) is None


def test_the_check_streams_progress_as_ndjson(auth, client, tmp_path):
    auth.login("advisor")
    location = _upload(auth, tmp_path)
    page = client.get(location).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(location + "/check", headers={
        "Accept": "application/x-ndjson", "X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert lines[-1] == {"finished": True, "url": location}


def test_the_streamed_check_survives_the_request_teardown(app, auth, client, tmp_path,
                                                          db_session):
    # A real WSGI server iterates the streamed body after the view's app context has been torn
    # down, which removes the session the view loaded the batch in (the test client reads the
    # first chunk inside the request, so call the WSGI app directly).
    auth.login("admin")
    location = _upload(auth, tmp_path)
    page = client.get(location).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    def stream(step: str) -> list[dict]:
        environ = EnvironBuilder(path=f"{location}/{step}", method="POST", headers={
            "Accept": "application/x-ndjson", "X-CSRFToken": token,
            "Cookie": f"session={client.get_cookie('session').value}"}).get_environ()
        body = app.wsgi_app(environ, lambda status, headers, exc_info=None: None)
        db_session.remove()
        return [json.loads(line) for line in b"".join(body).decode().splitlines()]

    assert stream("check")[-1] == {"finished": True, "url": location}
    batch = db_session.scalars(select(ImportBatch)).one()
    assert (batch.rows, batch.valid) == (2, 1)
    assert stream("commit")[-1] == {"finished": True, "url": location}
    firm = db_session.scalar(select(Enterprise).where(Enterprise.credit_code == code(1)))
    assert firm is not None
    assert firm.import_batch_id == batch.id


def test_an_unreadable_upload_shows_a_chinese_error(auth, client, tmp_path):
    auth.login("admin")
    location = _upload(auth, tmp_path, [["甲", "乙"], [1, 2]])
    response = auth.post(location + "/check", {}, form_url=location, follow_redirects=True)
    assert "未找到可识别的表头" in response.get_data(as_text=True)


def test_a_wrong_file_type_is_refused(auth):
    auth.login("admin")
    response = auth.post("/imports", {"file": (io.BytesIO(b"x"), "a.pdf")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "只支持 .xlsx 和 .csv" in response.get_data(as_text=True)


def test_advisors_cannot_see_other_peoples_batches(auth, client, tmp_path, make_user):
    auth.login("admin")
    location = _upload(auth, tmp_path)
    auth.logout()
    auth.login("advisor")
    assert client.get(location).status_code == 403


def test_an_advisor_cannot_revert_a_batch_once_its_firm_moved_away(auth, client, tmp_path,
                                                                    db_session, make_user,
                                                                    make_enterprise):
    mine, theirs = make_user("advisor"), make_user("advisor")
    firm = make_enterprise(credit_code=code(40), advisor=mine, contact_phone="111")
    path = write_xlsx(tmp_path / "p.xlsx", [["统一社会信用代码", "联系电话"], [code(40), "222"]])
    batch_id = run(db_session, path, user=mine, commit=True).batch
    portfolios.assign(db_session, firm, theirs, on=NOW.date(), actor="test")
    auth.login(mine)
    show = f"/imports/{batch_id}"
    response = auth.post(f"{show}/revert", {}, form_url=show, follow_redirects=True)
    assert "已不在您的联系企业范围内，不能撤销" in response.get_data(as_text=True)
    db_session.refresh(firm)
    assert firm.contact_phone == "222"
    assert db_session.get(ImportBatch, batch_id).status == "committed"


def test_templates_download_with_canonical_headers(auth, client):
    auth.login("advisor")
    for kind, first in (("firms", "企业名称"), ("figures", "统一社会信用代码"),
                        ("qualifications", "统一社会信用代码")):
        response = client.get(f"/imports/templates/{kind}.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.data))
        assert next(book.worksheets[0].iter_rows(values_only=True))[0] == first
        assert book.sheetnames[1] == "填写说明"


def test_the_enterprise_list_exports_with_its_filters(auth, client, make_enterprise):
    auth.login("leader")
    make_enterprise(name="横溪导出公司", town="横溪镇")
    make_enterprise(name="安洲导出公司", town="安洲街道")
    response = client.get("/imports/export/enterprises.xlsx?town=横溪镇")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["横溪导出公司"]
    assert client.get("/imports/export/nothing.xlsx").status_code == 404
