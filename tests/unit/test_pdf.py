"""The agreement and generic documents as PDF (R-06)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from importlib import resources

import pytest
from pypdf import PdfReader

from videophone.adapters.pdf import (
    PdfColumns,
    PdfHeading,
    PdfKeyValues,
    PdfParagraph,
    PdfTable,
    render_agreement_pdf,
    render_document_pdf,
)
from videophone.identity.domain.agreement import AgreementDocument, SubscriberParty, render_agreement
from videophone.identity.domain.policy import OperatorPolicy

SHIPPED = resources.files("videophone").joinpath("resources/agreement_v1.txt").read_text(encoding="utf-8")

SUBSCRIBER = SubscriberParty(
    kind="organization",
    name="上海某某视讯科技有限公司",
    address="上海市浦东新区世纪大道100号",
    postal_code="200120",
    phone="021-55556666",
    id_type_label="营业执照",
    id_number_display="91310115MA1K00AB3Q",
    legal_representative="李四",
    credit_code="91310115MA1K00AB3Q",
)


def pypdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdftotext_text(pdf: bytes) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def squeeze(text: str) -> str:
    """Extractors break lines where the PDF wraps them; compare without white space."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def agreement() -> AgreementDocument:
    policy = OperatorPolicy.from_mapping({"warranty_years": 3, "operator_name": "华东视讯通信有限公司"})
    return render_agreement(SHIPPED, version=1, policy=policy, subscriber=SUBSCRIBER, signed_on=date(2026, 11, 21))


@pytest.fixture(scope="module")
def agreement_pdf(agreement: AgreementDocument) -> bytes:
    return render_agreement_pdf(agreement)


def test_agreement_pdf_is_a_pdf_with_pages_and_metadata(agreement_pdf: bytes) -> None:
    assert agreement_pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(agreement_pdf))
    assert len(reader.pages) >= 1
    assert reader.metadata is not None
    assert reader.metadata.title == "可视电话视频通信服务协议"
    assert reader.metadata.author == "华东视讯通信有限公司"
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=0.5)  # A4


@pytest.mark.parametrize("extract", [pypdf_text, pdftotext_text], ids=["pypdf", "pdftotext"])
def test_agreement_pdf_text(agreement_pdf: bytes, extract: Callable[[bytes], str]) -> None:
    text = squeeze(extract(agreement_pdf))
    assert "可视电话视频通信服务协议" in text
    assert "华东视讯通信有限公司" in text
    assert "终端保修期限为3年，自终端安装之日起计算" in text
    assert "上海某某视讯科技有限公司" in text
    assert "91310115MA1K00AB3Q" in text
    assert "2026年11月21日" in text
    assert "第1页" in text


def test_unsigned_agreement_pdf_renders() -> None:
    doc = render_agreement(SHIPPED, version=1, policy=OperatorPolicy(), subscriber=None, signed_on=None)
    text = squeeze(pypdf_text(render_agreement_pdf(doc)))
    assert "＿＿＿＿年＿＿月＿＿日" in text


def test_generic_document_blocks() -> None:
    pdf = render_document_pdf(
        "账单 <2026年11月>",
        [
            PdfHeading("账单信息"),
            PdfKeyValues(rows=(("账单号", "B-2026-11-0001"), ("用户", "王小明 & 李四"))),
            PdfTable(
                header=("项目", "金额（元）"),
                rows=tuple((f"通话费 {i}", f"{i}.00") for i in range(80)),
                col_widths=(0.7, 0.3),
                align_right=frozenset({1}),
            ),
            PdfParagraph("请在到期日前缴清费用。"),
            PdfParagraph("(1) 逾期将产生违约金。", indent=True),
            PdfColumns(columns=(PdfKeyValues(rows=(("甲方", "x"),)), PdfKeyValues(rows=(("乙方", "y"),)))),
        ],
        author="华东视讯通信有限公司",
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2  # the long table breaks across pages
    text = squeeze(pypdf_text(pdf))
    assert "账单<2026年11月>" in text  # markup characters are escaped, not interpreted
    assert "王小明&李四" in text
    assert "通话费79" in text
    assert "第2页" in text
