# rule: precedes has no cycles
# base: pathway.ttl
# profile: pathways
# expect: Violation ; ce-0d6d4be7-c72f-4aa9-b82c-79938ca956d4 ; - ; ceterms:precedes ; sh:SPARQLConstraintComponent
# expect: Violation ; ce-231f4b1a-7e2b-4b3a-ab6e-09a038a1a2d9 ; - ; ceterms:precedes ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
INSERT DATA { res:ce-0d6d4be7-c72f-4aa9-b82c-79938ca956d4 ceterms:precedes res:ce-231f4b1a-7e2b-4b3a-ab6e-09a038a1a2d9 }
