# rule: country of the awarding body (neither its address nor the jurisdiction names one)
# base: microcredential.ttl
# profile: eu-microcredential
# expect: Violation ; ce-5930553b-3a23-4393-a208-dd3629b4556f ; - ; (((ceterms:ownedBy | ceterms:offeredBy) / ceterms:address / ceterms:addressCountry) | (ceterms:jurisdiction / ceterms:mainJurisdiction / ceterms:addressCountry)) ; sh:MinCountConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-01f31534-04bc-43a4-b2c6-2e98b46b8c53 ceterms:address ?a . ?a ?p ?o } ; DELETE WHERE { res:ce-5930553b-3a23-4393-a208-dd3629b4556f ceterms:jurisdiction ?j . ?j ?p ?o . ?o ?q ?r }
