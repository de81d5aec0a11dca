# rule: a CTID is a version 4 UUID (info)
# base: registry.ttl
# profile: structure
# expect: Info ; ce-7f058ae8-1d9b-13bc-8148-be4a841fcb2f ; - ; ceterms:ctid ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ceterms:ctid ?d } ; DELETE WHERE { ?s ?p res:ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f } ; DELETE WHERE { res:ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ?p ?o } ; INSERT DATA { res:ce-7f058ae8-1d9b-13bc-8148-be4a841fcb2f a ceasn:Competency ; ceterms:ctid "ce-7f058ae8-1d9b-13bc-8148-be4a841fcb2f" ; ceasn:competencyText "Lock out a press before maintenance."@en-US ; ceasn:isPartOf res:ce-e69ba978-c6ca-4ba4-86a3-d5ebd2ef2cb1 ; ceasn:isChildOf res:ce-baddb634-fad6-4df0-907b-f15c611d70f8 . res:ce-baddb634-fad6-4df0-907b-f15c611d70f8 ceasn:hasChild res:ce-7f058ae8-1d9b-13bc-8148-be4a841fcb2f }
