# rule: a competency published with a framework is part of it
# base: registry.ttl
# profile: structure
# expect: Violation ; ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ; - ; ceasn:isPartOf ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ceasn:isPartOf ?f } ; INSERT DATA { res:ce-7f058ae8-1d9b-43bc-8148-be4a841fcb2f ceasn:isPartOf res:ce-0d832beb-384b-4e9e-a887-5d6113e50abe . res:ce-0d832beb-384b-4e9e-a887-5d6113e50abe ceasn:name "Another framework"@en-US }
