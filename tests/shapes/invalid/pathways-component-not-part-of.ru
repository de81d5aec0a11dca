# rule: every component is part of its pathway
# base: pathway.ttl
# profile: pathways
# expect: Violation ; ce-0d6d4be7-c72f-4aa9-b82c-79938ca956d4 ; - ; ceterms:isPartOf ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-0d6d4be7-c72f-4aa9-b82c-79938ca956d4 ceterms:isPartOf ?p }
