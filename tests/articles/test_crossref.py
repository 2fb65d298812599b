"""The Crossref deposit XML of a report: checked against the parts of Crossref's schema
5.3.1 it uses.

No package on PyPI ships Crossref's XSD (crossref5.3.1.xsd, with its imports of the
JATS, MathML, FundRef, AccessIndicators and relations schemas), and tests do not reach
the network. So the test holds Crossref's documented required elements of a deposit of
a report, and a small XSD, written from the schema's documentation, of the elements the
deposit uses: their order, how often each may occur, the patterns of a DOI, an ORCID iD
and an ISSN, and the lengths Crossref allows. Sources:
https://data.crossref.org/reports/help/schema_doc/5.3.1/index.html (the schema's own
documentation), https://www.crossref.org/documentation/schema-library/required-recommended-elements/
and https://www.crossref.org/documentation/schema-library/markup-guide-record-types/reports-and-working-papers/
"""

from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from articles.crossref import NAMESPACE, Contributor, Deposit, deposit_xml

NS = {"c": NAMESPACE}

# Required by Crossref for every deposit of a report or working paper (the documents
# above): the batch's head, and the record's titles, publication date (year at least)
# and DOI with the address it resolves to.
REQUIRED = (
    "c:head/c:doi_batch_id",
    "c:head/c:timestamp",
    "c:head/c:depositor/c:depositor_name",
    "c:head/c:depositor/c:email_address",
    "c:head/c:registrant",
    "c:body/c:report-paper/*/c:titles/c:title",
    "c:body/c:report-paper/*/c:publication_date/c:year",
    "c:body/c:report-paper/*/c:doi_data/c:doi",
    "c:body/c:report-paper/*/c:doi_data/c:resource",
)

XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns="http://www.crossref.org/schema/5.3.1"
    targetNamespace="http://www.crossref.org/schema/5.3.1" elementFormDefault="qualified">
  <xs:simpleType name="s1_130"><xs:restriction base="xs:string">
    <xs:minLength value="1"/><xs:maxLength value="130"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="s1_255"><xs:restriction base="xs:string">
    <xs:minLength value="1"/><xs:maxLength value="255"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="name_t"><xs:restriction base="xs:string">
    <xs:minLength value="1"/><xs:maxLength value="60"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="doi_t"><xs:restriction base="xs:string">
    <xs:pattern value="10\\.[0-9]{4,9}/.{1,200}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="orcid_t"><xs:restriction base="xs:string">
    <xs:pattern value="https?://orcid.org/[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[X0-9]"/>
  </xs:restriction></xs:simpleType>
  <xs:simpleType name="issn_t"><xs:restriction base="xs:string">
    <xs:pattern value="\\d{4}-?\\d{3}[\\dX]"/></xs:restriction></xs:simpleType>
  <xs:attributeGroup name="contributor_atts">
    <xs:attribute name="sequence" use="required"><xs:simpleType>
      <xs:restriction base="xs:string"><xs:enumeration value="first"/>
        <xs:enumeration value="additional"/></xs:restriction></xs:simpleType></xs:attribute>
    <xs:attribute name="contributor_role" use="required"><xs:simpleType>
      <xs:restriction base="xs:string"><xs:enumeration value="author"/>
        <xs:enumeration value="editor"/><xs:enumeration value="chair"/>
        <xs:enumeration value="reviewer"/><xs:enumeration value="translator"/>
      </xs:restriction></xs:simpleType></xs:attribute>
  </xs:attributeGroup>

  <xs:element name="doi_batch"><xs:complexType><xs:sequence>
      <xs:element ref="head"/><xs:element ref="body"/>
    </xs:sequence>
    <xs:attribute name="version" type="xs:string" use="required" fixed="5.3.1"/>
  </xs:complexType></xs:element>
  <xs:element name="head"><xs:complexType><xs:sequence>
      <xs:element name="doi_batch_id"><xs:simpleType><xs:restriction base="xs:string">
        <xs:minLength value="4"/><xs:maxLength value="100"/></xs:restriction></xs:simpleType>
      </xs:element>
      <xs:element name="timestamp" type="xs:nonNegativeInteger"/>
      <xs:element name="depositor"><xs:complexType><xs:sequence>
        <xs:element name="depositor_name" type="s1_130"/>
        <xs:element name="email_address"><xs:simpleType><xs:restriction base="xs:string">
          <xs:minLength value="6"/><xs:maxLength value="200"/>
          <xs:pattern value="[^@\\s]+@[^@\\s]+\\.[^@\\s]+"/>
        </xs:restriction></xs:simpleType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="registrant" type="s1_255"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="body"><xs:complexType><xs:sequence>
    <xs:element ref="report-paper"/></xs:sequence></xs:complexType></xs:element>
  <xs:element name="report-paper"><xs:complexType><xs:choice>
    <xs:element ref="report-paper_metadata"/>
    <xs:element ref="report-paper_series_metadata"/>
  </xs:choice></xs:complexType></xs:element>

  <xs:element name="report-paper_metadata"><xs:complexType><xs:sequence>
      <xs:element ref="contributors" minOccurs="0"/>
      <xs:element ref="titles"/>
      <xs:element ref="publication_date" maxOccurs="10"/>
      <xs:element ref="publisher" minOccurs="0"/>
      <xs:element ref="institution" minOccurs="0" maxOccurs="5"/>
      <xs:element ref="publisher_item" minOccurs="0"/>
      <xs:element ref="doi_data"/>
    </xs:sequence>
    <xs:attribute name="language" type="xs:language"/>
  </xs:complexType></xs:element>
  <xs:element name="report-paper_series_metadata"><xs:complexType><xs:sequence>
      <xs:element ref="series_metadata"/>
      <xs:element ref="contributors" minOccurs="0"/>
      <xs:element ref="titles" minOccurs="0"/>
      <xs:element ref="publication_date" maxOccurs="10"/>
      <xs:element ref="publisher" minOccurs="0"/>
      <xs:element ref="institution" minOccurs="0" maxOccurs="5"/>
      <xs:element ref="publisher_item" minOccurs="0"/>
      <xs:element ref="doi_data" minOccurs="0"/>
    </xs:sequence>
    <xs:attribute name="language" type="xs:language"/>
  </xs:complexType></xs:element>
  <xs:element name="series_metadata"><xs:complexType><xs:sequence>
    <xs:element ref="titles"/>
    <xs:element name="issn" type="issn_t" maxOccurs="6"/>
  </xs:sequence></xs:complexType></xs:element>

  <xs:element name="contributors"><xs:complexType>
    <xs:choice maxOccurs="unbounded">
      <xs:element name="organization"><xs:complexType><xs:simpleContent>
        <xs:extension base="s1_255"><xs:attributeGroup ref="contributor_atts"/></xs:extension>
      </xs:simpleContent></xs:complexType></xs:element>
      <xs:element name="person_name"><xs:complexType><xs:sequence>
          <xs:element name="given_name" type="name_t" minOccurs="0"/>
          <xs:element name="surname" type="name_t"/>
          <xs:element name="suffix" type="name_t" minOccurs="0"/>
          <xs:element name="ORCID" type="orcid_t" minOccurs="0"/>
        </xs:sequence><xs:attributeGroup ref="contributor_atts"/>
      </xs:complexType></xs:element>
    </xs:choice>
  </xs:complexType></xs:element>
  <xs:element name="titles"><xs:complexType><xs:sequence>
    <xs:element name="title" type="s1_255"/>
    <xs:element name="subtitle" type="s1_255" minOccurs="0"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="publication_date"><xs:complexType><xs:sequence>
      <xs:element name="month" minOccurs="0"><xs:simpleType>
        <xs:restriction base="xs:string"><xs:pattern value="0[1-9]|1[0-2]"/></xs:restriction>
      </xs:simpleType></xs:element>
      <xs:element name="day" minOccurs="0"><xs:simpleType>
        <xs:restriction base="xs:string"><xs:pattern value="0[1-9]|[12][0-9]|3[01]"/>
        </xs:restriction></xs:simpleType></xs:element>
      <xs:element name="year"><xs:simpleType><xs:restriction base="xs:integer">
        <xs:minInclusive value="1400"/><xs:maxInclusive value="2200"/></xs:restriction>
      </xs:simpleType></xs:element>
    </xs:sequence>
    <xs:attribute name="media_type" default="print"><xs:simpleType>
      <xs:restriction base="xs:string"><xs:enumeration value="print"/>
        <xs:enumeration value="online"/></xs:restriction></xs:simpleType></xs:attribute>
  </xs:complexType></xs:element>
  <xs:element name="publisher"><xs:complexType><xs:sequence>
    <xs:element name="publisher_name" type="s1_255"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="institution"><xs:complexType><xs:sequence>
    <xs:element name="institution_name" type="s1_255"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="publisher_item"><xs:complexType><xs:sequence>
    <xs:element name="item_number" maxOccurs="3"><xs:complexType><xs:simpleContent>
      <xs:extension base="item_number_t">
        <xs:attribute name="item_number_type" type="xs:string"/>
      </xs:extension></xs:simpleContent></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:simpleType name="item_number_t"><xs:restriction base="xs:string">
    <xs:minLength value="1"/><xs:maxLength value="32"/></xs:restriction></xs:simpleType>
  <xs:element name="doi_data"><xs:complexType><xs:sequence>
    <xs:element name="doi" type="doi_t"/>
    <xs:element name="resource"><xs:simpleType><xs:restriction base="xs:anyURI">
      <xs:minLength value="1"/><xs:maxLength value="2048"/></xs:restriction></xs:simpleType>
    </xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
"""

SCHEMA = xmlschema.XMLSchema(XSD)

REPORT = Deposit(
    doi="10.5555/ports-on-the-front-line",
    url="https://research.example.org/articles/ports-on-the-front-line/",
    title="Ports on the front line",
    subtitle="Harbours & the next crisis",
    published_on=date(2025, 2, 3),
    publisher="The Meridian Institute",
    contributors=(
        Contributor("Ada Quill", orcid="0000-0002-1825-0097"),
        Contributor("Jean de la Fontaine"),
        Contributor("Martin Luther King Jr."),
    ),
    series="Occasional Paper",
    series_number="12",
)


def xml_of(deposit: Deposit = REPORT) -> str:
    return deposit_xml(
        deposit,
        batch_id="meridian-7-0a1b2c3d4e5f",
        moment=datetime(2025, 2, 3, 12, 30, 5, 250_000, tzinfo=UTC),
        depositor_name="The Meridian Institute",
        depositor_email="editors@research.example.org",
        registrant="The Meridian Institute",
    )


def test_the_deposit_of_a_report_passes_the_schema_check():
    SCHEMA.validate(xml_of())


@pytest.mark.parametrize("required", REQUIRED)
def test_the_deposit_has_every_element_crossref_requires(required):
    root = ET.fromstring(xml_of())
    found = root.find(required, NS)
    assert found is not None and (found.text or "").strip(), required


def test_the_deposit_records_the_report_as_published():
    root = ET.fromstring(xml_of())
    assert root.tag == f"{{{NAMESPACE}}}doi_batch" and root.get("version") == "5.3.1"
    meta = root.find("c:body/c:report-paper/c:report-paper_metadata", NS)
    assert meta.findtext("c:titles/c:title", namespaces=NS) == "Ports on the front line"
    assert meta.findtext("c:titles/c:subtitle", namespaces=NS) == "Harbours & the next crisis"
    people = meta.findall("c:contributors/c:person_name", NS)
    assert [(p.findtext("c:given_name", namespaces=NS), p.findtext("c:surname", namespaces=NS))
            for p in people] == [("Ada", "Quill"), ("Jean", "de la Fontaine"),
                                 ("Martin Luther", "King")]  # fmt: skip
    assert people[2].findtext("c:suffix", namespaces=NS) == "Jr."
    assert [p.get("sequence") for p in people] == ["first", "additional", "additional"]
    assert people[0].findtext("c:ORCID", namespaces=NS) == "https://orcid.org/0000-0002-1825-0097"
    assert people[1].find("c:ORCID", NS) is None
    published = meta.find("c:publication_date", NS)
    assert published.get("media_type") == "online"
    assert [published.findtext(f"c:{p}", namespaces=NS) for p in ("year", "month", "day")] == [
        "2025", "02", "03"
    ]  # fmt: skip
    assert meta.findtext("c:publisher/c:publisher_name", namespaces=NS) == "The Meridian Institute"
    assert meta.findtext("c:institution/c:institution_name", namespaces=NS) == (
        "The Meridian Institute"
    )
    assert meta.findtext("c:publisher_item/c:item_number", namespaces=NS) == "Occasional Paper 12"
    assert meta.findtext("c:doi_data/c:doi", namespaces=NS) == REPORT.doi
    assert meta.findtext("c:doi_data/c:resource", namespaces=NS) == REPORT.url
    assert root.findtext("c:head/c:timestamp", namespaces=NS) == "20250203123005250"


def test_a_series_with_an_issn_is_deposited_as_series_metadata():
    xml = xml_of(Deposit(**{**REPORT.__dict__, "series_issn": "2049-3630"}))
    SCHEMA.validate(xml)
    meta = ET.fromstring(xml).find("c:body/c:report-paper/c:report-paper_series_metadata", NS)
    assert meta.findtext("c:series_metadata/c:titles/c:title", namespaces=NS) == "Occasional Paper"
    assert meta.findtext("c:series_metadata/c:issn", namespaces=NS) == "2049-3630"
    assert meta.findtext("c:publisher_item/c:item_number", namespaces=NS) == "12"


def test_a_report_nobody_is_credited_on_is_the_institutes():
    xml = xml_of(Deposit(**{**REPORT.__dict__, "contributors": (), "series": "",
                            "series_number": ""}))  # fmt: skip
    SCHEMA.validate(xml)
    root = ET.fromstring(xml)
    (organization,) = root.iter(f"{{{NAMESPACE}}}organization")
    assert organization.text == "The Meridian Institute"
    assert organization.get("contributor_role") == "author"
    assert root.find(".//c:publisher_item", NS) is None


def test_markup_in_a_title_is_text_not_xml():
    xml = xml_of(Deposit(**{**REPORT.__dict__, "title": "Ports </title><evil/> & NATO"}))
    SCHEMA.validate(xml)
    assert "<evil/>" not in xml
    assert ET.fromstring(xml).findtext(".//c:titles/c:title", namespaces=NS) == (
        "Ports </title><evil/> & NATO"
    )


def test_the_schema_check_refuses_a_deposit_without_its_doi():
    """The check is not vacuous: a record missing what Crossref requires fails it."""
    root = ET.fromstring(xml_of())
    meta = root.find(".//c:report-paper_metadata", NS)
    meta.remove(meta.find("c:doi_data", NS))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        SCHEMA.validate(ET.tostring(root, encoding="unicode"))
